import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { requestReference } from '../request-reference';

/**
 * The human reference of a request (`CLR-2027-000123`): a column with a unique index, and a counter
 * per year of submission that `RequestProjectionWriter.recordSubmission` increments in the transaction
 * that inserts the request. The requests already stored are numbered in the order they were created
 * (created_at, then id), and the counters start after them. ADD COLUMN of a nullable column is the
 * same statement on SQLite and PostgreSQL; every row has a reference once this has run.
 */
export class RequestReferences1763900007600 implements MigrationInterface {
  name = 'RequestReferences1763900007600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'request_reference_counters',
        columns: [
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'last_number', type: 'integer' },
        ],
      }),
    );
    await queryRunner.query('ALTER TABLE requests ADD COLUMN reference varchar(20) NULL');
    // plain SQL, not the entity: a migration must not depend on today's entity classes
    const p = (n: number) => (queryRunner.connection.driver.options.type === 'postgres' ? `$${n}` : '?');
    const rows = await queryRunner.manager
      .createQueryBuilder()
      .select(['r.id AS id', 'r.created_at AS created_at'])
      .from('requests', 'r')
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getRawMany<{ id: string; created_at: string }>();
    const counters = new Map<number, number>();
    for (const row of rows) {
      const year = Number(row.created_at.slice(0, 4));
      const number = (counters.get(year) ?? 0) + 1;
      counters.set(year, number);
      await queryRunner.query(`UPDATE requests SET reference = ${p(1)} WHERE id = ${p(2)}`, [
        requestReference(year, number),
        row.id,
      ]);
    }
    for (const [year, last] of counters) {
      await queryRunner.query(`INSERT INTO request_reference_counters (year, last_number) VALUES (${p(1)}, ${p(2)})`, [
        year,
        last,
      ]);
    }
    await queryRunner.createIndex(
      'requests',
      new TableIndex({ name: 'uq_requests_reference', columnNames: ['reference'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('requests', 'uq_requests_reference');
    await queryRunner.query('ALTER TABLE requests DROP COLUMN reference');
    await queryRunner.dropTable('request_reference_counters');
  }
}
