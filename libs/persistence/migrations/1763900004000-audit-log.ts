import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The hash-chained audit log. `seq` is written by the application (no autoincrement): portable types only. */
export class AuditLog1763900004000 implements MigrationInterface {
  name = 'AuditLog1763900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const str = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true },
          str('request_id', 36, true),
          str('event', 60),
          str('actor', 254, true),
          { name: 'payload', type: 'text' },
          str('recorded_at', 30),
          str('prev_hash', 64),
          str('hash', 64),
        ],
        indices: [new TableIndex({ name: 'idx_audit_log_request', columnNames: ['request_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_log');
  }
}
