import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why a policy version was published (issue 13): the reason the admin gave, kept with the version
 * (`PUT /api/policy` with an `X-Change-Reason` header). Null for versions published without one.
 * Reads the same on SQLite and PostgreSQL.
 */
export class PolicyChangeReason1763900008200 implements MigrationInterface {
  name = 'PolicyChangeReason1763900008200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE policy_versions ADD COLUMN change_reason text NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE policy_versions DROP COLUMN change_reason');
  }
}
