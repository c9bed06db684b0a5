import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain's MAC and the id of its key. Rows already written keep null: they are not sealed
 * here (a migration has no business holding the key, and sealing would vouch for whatever the table
 * holds today). The first signed row links to them by hash, so from then on they cannot change
 * unnoticed; verification reports them as a warning ("rows 1 to N were written unkeyed").
 * ADD COLUMN of a nullable column is the same statement on SQLite and PostgreSQL.
 */
export class AuditChainMac1763900006000 implements MigrationInterface {
  name = 'AuditChainMac1763900006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_log ADD COLUMN mac_key_id varchar(64) NULL');
    await queryRunner.query('ALTER TABLE audit_log ADD COLUMN mac varchar(64) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_log DROP COLUMN mac');
    await queryRunner.query('ALTER TABLE audit_log DROP COLUMN mac_key_id');
  }
}
