import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Reviewers assigned by an admin to a party of one request that had nobody left to decide. Portable types only. */
export class AssignedReviewers1763900006300 implements MigrationInterface {
  name = 'AssignedReviewers1763900006300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'assigned_reviewers',
        columns: [
          { name: 'request_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'party', type: 'varchar', length: '32', isPrimary: true },
          { name: 'reviewer_email', type: 'varchar', length: '254', isPrimary: true },
          { name: 'assigned_by', type: 'varchar', length: '254' },
          { name: 'assigned_at', type: 'varchar', length: '30' },
        ],
        indices: [new TableIndex({ name: 'idx_assigned_reviewers_reviewer', columnNames: ['reviewer_email'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('assigned_reviewers');
  }
}
