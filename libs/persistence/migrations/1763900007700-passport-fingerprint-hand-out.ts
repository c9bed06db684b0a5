import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One active record per passport, and the hand-out step.
 *
 * `number_fingerprint`: the keyed HMAC of issuing country + number (libs/crypto/passport-number.ts),
 * unique among active records. The key lives in ENCRYPTION_KEYS, which a migration cannot reach,
 * so this leaves the column null for rows already stored and the API fills them on start
 * (PassportsService.onApplicationBootstrap → PassportRepository.backfillFingerprints); a row that
 * would duplicate another active record keeps its null and is reported in the log. Null
 * fingerprints never collide in a unique index (both databases), so the index can exist at once.
 *
 * `handed_out_by`, `handed_out_at`: who gave the passport out after an approved release, and when
 * (the identity check is required to do so, and is in the audit log).
 *
 * Plain statements that read the same on SQLite and PostgreSQL (both support partial indexes).
 */
export class PassportFingerprintHandOut1763900007700 implements MigrationInterface {
  name = 'PassportFingerprintHandOut1763900007700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE passports ADD COLUMN number_fingerprint varchar(64) NULL');
    await queryRunner.query('ALTER TABLE passports ADD COLUMN handed_out_by varchar(254) NULL');
    await queryRunner.query('ALTER TABLE passports ADD COLUMN handed_out_at varchar(30) NULL');
    await queryRunner.query(
      'CREATE UNIQUE INDEX uq_passports_active_fingerprint ON passports (number_fingerprint) ' +
        "WHERE status IN ('in_custody', 'ready_for_hand_out', 'released', 'overdue')",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX uq_passports_active_fingerprint');
    await queryRunner.query('ALTER TABLE passports DROP COLUMN handed_out_at');
    await queryRunner.query('ALTER TABLE passports DROP COLUMN handed_out_by');
    await queryRunner.query('ALTER TABLE passports DROP COLUMN number_fingerprint');
  }
}
