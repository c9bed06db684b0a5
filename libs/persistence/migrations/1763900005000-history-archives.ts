import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Archived workflow histories of closed requests. Portable types only. */
export class HistoryArchives1763900005000 implements MigrationInterface {
  name = 'HistoryArchives1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'history_archives',
        columns: [
          { name: 'workflow_id', type: 'varchar', length: '150', isPrimary: true },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'compressed', type: 'text' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'event_count', type: 'integer' },
          { name: 'archived_at', type: 'varchar', length: '30' },
        ],
        indices: [new TableIndex({ name: 'idx_history_archives_request', columnNames: ['request_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('history_archives');
  }
}
