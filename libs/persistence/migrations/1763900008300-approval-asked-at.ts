import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each party was asked (issue 13: the inbox as a work queue): the time the projection writer first
 * saw the party's approval pending in an active stage, again after an amendment asks it anew. The
 * reminder and escalation due dates derive from it and the request's pinned plan. Approvals waiting
 * before this migration get their request's submission time (exact for a first stage, early for later ones).
 */
export class ApprovalAskedAt1763900008300 implements MigrationInterface {
  name = 'ApprovalAskedAt1763900008300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE approvals ADD COLUMN asked_at varchar(30) NULL');
    await queryRunner.query(
      `UPDATE approvals SET asked_at = (SELECT r.created_at FROM requests r WHERE r.id = approvals.request_id)
       WHERE stage_status = 'active'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE approvals DROP COLUMN asked_at');
  }
}
