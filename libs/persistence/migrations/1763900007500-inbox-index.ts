import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The inbox's index: pending approvals by party, with their request ids, so a page and the counts
 * per party read the index instead of the table (the requests side is idx_requests_status_created
 * and the primary key).
 */
const INBOX_INDEX = new TableIndex({ name: 'idx_approvals_inbox', columnNames: ['status', 'party', 'request_id'] });

export class InboxIndex1763900007500 implements MigrationInterface {
  name = 'InboxIndex1763900007500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('approvals', INBOX_INDEX);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('approvals', INBOX_INDEX.name!);
  }
}
