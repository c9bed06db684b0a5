import type { MigrationInterface, QueryRunner } from 'typeorm';
import { entryIdentityKey } from '../../screening/identity';

/** Who `removed_by` names for the duplicates this migration took off the list: no person did. */
export const SCREENING_DEDUP_MIGRATION = 'migration:ScreeningIdentity1763900009000';
export const SCREENING_DEDUP_REASON = 'duplicate, removed by migration';

/**
 * The restricted-party list's identity, and edits and removals (issue 13).
 *
 * `identity_key`: SHA-256 of the entry's identity (libs/screening/identity.ts: the name as the matcher
 * normalises it + country + source), unique among active entries (partial index `WHERE removed_at IS
 * NULL`, which both SQLite and PostgreSQL support). `removed_at`, `removed_by`, `removal_reason`: removal
 * is soft, so a removed entry no longer matches but stays readable. `changed_at`: when the entry was
 * last written (added, edited, removed); the screening cache's signature follows it.
 *
 * Duplicates already stored are resolved here, before the index exists: the oldest active entry of
 * each identity is kept (by created_at, then id), every other one is marked removed now, `removed_by`
 * naming this migration (no person decided it) and `removal_reason` saying why and which entry was kept.
 * A migration holds no audit-chain key (see 1763900006000), so these removals are recorded on the
 * rows here, and the API puts them on the chain when it next starts
 * (ScreeningEntryRepository.recordMigrationRemovals, once per removal, actor this migration).
 * Plain statements that read the same on both databases.
 */
export class ScreeningIdentity1763900009000 implements MigrationInterface {
  name = 'ScreeningIdentity1763900009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE screening_entries ADD COLUMN identity_key varchar(64) NULL');
    await queryRunner.query('ALTER TABLE screening_entries ADD COLUMN changed_at varchar(30) NULL');
    await queryRunner.query('ALTER TABLE screening_entries ADD COLUMN removed_at varchar(30) NULL');
    await queryRunner.query('ALTER TABLE screening_entries ADD COLUMN removed_by varchar(254) NULL');
    await queryRunner.query('ALTER TABLE screening_entries ADD COLUMN removal_reason text NULL');
    await queryRunner.query('UPDATE screening_entries SET changed_at = created_at');

    const pg = queryRunner.connection.options.type === 'postgres';
    const p = (i: number) => (pg ? `$${i}` : '?');
    const rows = (await queryRunner.query(
      'SELECT id, name, country, source, created_at FROM screening_entries ORDER BY created_at ASC, id ASC',
    )) as Array<{ id: string; name: string; country: string | null; source: string; created_at: string }>;
    const kept = new Map<string, string>();
    const now = new Date().toISOString();
    for (const row of rows) {
      const key = entryIdentityKey(row);
      const keeper = kept.get(key);
      await queryRunner.query(`UPDATE screening_entries SET identity_key = ${p(1)} WHERE id = ${p(2)}`, [key, row.id]);
      if (keeper === undefined) {
        kept.set(key, row.id);
        continue;
      }
      await queryRunner.query(
        `UPDATE screening_entries SET removed_at = ${p(1)}, removed_by = ${p(2)}, removal_reason = ${p(3)}, ` +
          `changed_at = ${p(4)} WHERE id = ${p(5)}`,
        [now, SCREENING_DEDUP_MIGRATION, `${SCREENING_DEDUP_REASON} (kept ${keeper})`, now, row.id],
      );
    }
    await queryRunner.query(
      'CREATE UNIQUE INDEX uq_screening_entries_identity ON screening_entries (identity_key) WHERE removed_at IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX uq_screening_entries_identity');
    await queryRunner.query('ALTER TABLE screening_entries DROP COLUMN removal_reason');
    await queryRunner.query('ALTER TABLE screening_entries DROP COLUMN removed_by');
    await queryRunner.query('ALTER TABLE screening_entries DROP COLUMN removed_at');
    await queryRunner.query('ALTER TABLE screening_entries DROP COLUMN changed_at');
    await queryRunner.query('ALTER TABLE screening_entries DROP COLUMN identity_key');
  }
}
