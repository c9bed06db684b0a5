import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

// Portable column helpers: the same migration runs on SQLite and PostgreSQL. Instants are ISO-8601
// strings (UTC, milliseconds), which sort correctly as text on both.
const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});
const text = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'text',
  ...extra,
});
const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
const nullable = { isNullable: true };

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'people',
        columns: [
          str('email', 254, { isPrimary: true }),
          str('name', 200),
          str('tier', 20, nullable),
          text('roles'),
          str('manager_email', 254, nullable),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'party_members',
        columns: [
          str('party', 40, { isPrimary: true }),
          str('email', 254, { isPrimary: true }),
          { name: 'is_lead', type: 'boolean', default: 'false' },
        ],
        indices: [new TableIndex({ name: 'idx_party_members_email', columnNames: ['email'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'requests',
        columns: [
          str('id', 36, { isPrimary: true }),
          str('type', 40),
          str('status', 30),
          str('requester_email', 254),
          str('requester_tier', 20),
          str('destination_country', 2),
          str('departure_date', 10),
          str('return_date', 10),
          text('purpose'),
          text('counterparties'),
          text('technology_areas'),
          text('data_categories'),
          text('details'),
          int('policy_version'),
          text('plan'),
          text('screening_hits'),
          str('workflow_id', 100),
          str('idempotency_key', 200, nullable),
          str('body_hash', 64),
          int('current_stage'),
          int('round'),
          int('seq'),
          str('created_at', 30),
          str('updated_at', 30),
        ],
        indices: [
          new TableIndex({ name: 'idx_requests_created', columnNames: ['created_at', 'id'] }),
          new TableIndex({ name: 'idx_requests_requester', columnNames: ['requester_email'] }),
          new TableIndex({
            name: 'uq_requests_idempotency',
            columnNames: ['requester_email', 'idempotency_key'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'approvals',
        columns: [
          str('request_id', 36, { isPrimary: true }),
          str('party', 40, { isPrimary: true }),
          int('stage_index'),
          str('stage_status', 20),
          str('status', 30),
          text('reasons'),
          str('decided_by', 254, nullable),
          str('on_behalf_of', 254, nullable),
          text('comment', nullable),
          text('conditions'),
          str('decided_at', 30, nullable),
        ],
        indices: [new TableIndex({ name: 'idx_approvals_party_status', columnNames: ['party', 'status'] })],
        foreignKeys: [{ columnNames: ['request_id'], referencedTableName: 'requests', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'decisions',
        columns: [
          str('id', 60, { isPrimary: true }),
          str('request_id', 36),
          str('party', 40),
          str('decision', 20),
          str('decided_by', 254),
          str('on_behalf_of', 254, nullable),
          text('comment', nullable),
          text('conditions'),
          int('round'),
          str('via', 10),
          str('decided_at', 30),
        ],
        indices: [new TableIndex({ name: 'idx_decisions_request', columnNames: ['request_id'] })],
        foreignKeys: [{ columnNames: ['request_id'], referencedTableName: 'requests', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sent_emails',
        columns: [
          str('key', 400, { isPrimary: true }),
          str('request_id', 36),
          str('kind', 30),
          str('recipient', 254),
          str('subject', 300),
          str('message_id', 300),
          str('status', 10),
          str('created_at', 30),
          str('sent_at', 30, nullable),
        ],
        indices: [new TableIndex({ name: 'idx_sent_emails_request', columnNames: ['request_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['sent_emails', 'decisions', 'approvals', 'requests', 'party_members', 'people']) {
      await queryRunner.dropTable(table);
    }
  }
}
