import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The custodian's "due back soon" (released passports due within a window): an index on status and
 * due date, so the filter reads only the passports it shows. The same statement on SQLite and PostgreSQL.
 */
export class PassportsDueSoon1763900008100 implements MigrationInterface {
  name = 'PassportsDueSoon1763900008100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX idx_passports_status_due ON passports (status, due_back_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX idx_passports_status_due');
  }
}
