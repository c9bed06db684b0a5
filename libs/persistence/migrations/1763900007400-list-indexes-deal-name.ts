import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { normalizedDealName } from '../../domain/request';

/** Every index the paged lists filter on, newest first: (filter column, created_at, id). */
const INDEXES: { table: string; index: TableIndex }[] = [
  {
    table: 'requests',
    index: new TableIndex({ name: 'idx_requests_status_created', columnNames: ['status', 'created_at', 'id'] }),
  },
  {
    table: 'requests',
    index: new TableIndex({ name: 'idx_requests_type_created', columnNames: ['type', 'created_at', 'id'] }),
  },
  {
    table: 'requests',
    index: new TableIndex({
      name: 'idx_requests_requester_created',
      columnNames: ['requester_email', 'created_at', 'id'],
    }),
  },
  {
    table: 'requests',
    index: new TableIndex({
      name: 'idx_requests_destination_created',
      columnNames: ['destination_country', 'created_at', 'id'],
    }),
  },
  { table: 'requests', index: new TableIndex({ name: 'idx_requests_deal_name', columnNames: ['deal_name', 'type'] }) },
  { table: 'passports', index: new TableIndex({ name: 'idx_passports_created', columnNames: ['created_at', 'id'] }) },
  {
    table: 'passports',
    index: new TableIndex({
      name: 'idx_passports_employee_created',
      columnNames: ['employee_email', 'created_at', 'id'],
    }),
  },
  {
    table: 'passports',
    index: new TableIndex({ name: 'idx_passports_status_created', columnNames: ['status', 'created_at', 'id'] }),
  },
];

/**
 * The deal name of an M&A participation as a column of its own (normalized: trimmed, lower case),
 * so the conflict check looks a deal up by index instead of reading every open deal's JSON details;
 * backfilled from the details of the requests already stored. And the indexes of the paged lists
 * (requests: status, type, requester, destination, dates; passports: employee, status).
 * ADD COLUMN of a nullable column is the same statement on SQLite and PostgreSQL.
 */
export class ListIndexesDealName1763900007400 implements MigrationInterface {
  name = 'ListIndexesDealName1763900007400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE requests ADD COLUMN deal_name varchar(200) NULL');
    // plain SQL, not the entity: a migration must not depend on today's entity classes
    const p = (n: number) => (queryRunner.connection.driver.options.type === 'postgres' ? `$${n}` : '?');
    const deals = await queryRunner.manager
      .createQueryBuilder()
      .select(['r.id AS id', 'r.details AS details'])
      .from('requests', 'r')
      .where("r.type = 'ma_participation'")
      .getRawMany<{ id: string; details: string | null }>();
    for (const deal of deals) {
      let details: Record<string, unknown> = {};
      try {
        details = JSON.parse(deal.details ?? '{}') as Record<string, unknown>;
      } catch {
        continue; // unreadable details name no deal; the row keeps a null deal_name
      }
      const dealName = normalizedDealName(details);
      if (dealName === null) continue;
      await queryRunner.query(`UPDATE requests SET deal_name = ${p(1)} WHERE id = ${p(2)}`, [dealName, deal.id]);
    }
    for (const { table, index } of INDEXES) await queryRunner.createIndex(table, index);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, index } of [...INDEXES].reverse()) await queryRunner.dropIndex(table, index.name!);
    await queryRunner.query('ALTER TABLE requests DROP COLUMN deal_name');
  }
}
