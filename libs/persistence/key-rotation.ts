import type { DataSource } from 'typeorm';
import { openPassportNumber, passportFingerprint, sealPassportNumber, type Keyring } from '../crypto';
import { appendAudit, writeTransaction } from './audit-log.repository';
import { PassportEntity } from './entities';

export interface KeyRotationReport {
  activeKeyId: string;
  /** Rows found sealed under another key than the active one. */
  examined: number;
  /** Re-sealed under the active key. */
  rotated: number;
  /** Changed by someone else between read and write; left alone (run again). */
  changedMeanwhile: number;
  /** Rows that could not be opened: their key is not configured, or the ciphertext does not authenticate. */
  failed: Array<{ id: string; keyId: string; reason: string }>;
}

/**
 * Re-seals every passport number that is not under the keyring's active key (and re-computes its
 * fingerprint under that key): opened with the key
 * its row names, sealed with the active key (same AAD, the row id), written in one transaction per
 * batch. Each write is guarded by the old key id and ciphertext, so a row changed meanwhile is
 * never overwritten. A row that cannot be opened is reported and skipped, never altered. Run it
 * after making a new key active and before removing the old key from ENCRYPTION_KEYS. Each batch
 * that re-seals rows writes a `keys.rotated` audit entry in its transaction (key ids and counts).
 */
export async function rotatePassportKeys(
  dataSource: DataSource,
  keyring: Keyring,
  options: { batchSize?: number; actor?: string | null } = {},
): Promise<KeyRotationReport> {
  const batchSize = options.batchSize ?? 200;
  const report: KeyRotationReport = {
    activeKeyId: keyring.activeKeyId,
    examined: 0,
    rotated: 0,
    changedMeanwhile: 0,
    failed: [],
  };
  let after = '';
  for (;;) {
    const seen = await writeTransaction(dataSource, async (manager) => {
      const fromKeys: Record<string, number> = {};
      const passports = manager.getRepository(PassportEntity);
      const rows = await passports
        .createQueryBuilder('p')
        .select(['p.id', 'p.numberCiphertext', 'p.numberKeyId', 'p.issuingCountry', 'p.numberFingerprint'])
        .where('p.numberKeyId <> :active', { active: keyring.activeKeyId })
        .andWhere('p.id > :after', { after })
        .orderBy('p.id', 'ASC')
        .limit(batchSize)
        .getMany();
      for (const row of rows) {
        let sealed: ReturnType<typeof sealPassportNumber> & { numberFingerprint: string | null };
        try {
          const number = openPassportNumber(keyring, row);
          sealed = {
            ...sealPassportNumber(keyring, row.id, number),
            // the fingerprint follows the number's key; a row left without one (a duplicate) stays so
            numberFingerprint:
              row.numberFingerprint === null
                ? null
                : passportFingerprint(keyring, keyring.activeKeyId, row.issuingCountry, number),
          };
        } catch (error) {
          report.failed.push({ id: row.id, keyId: row.numberKeyId, reason: (error as Error).message });
          continue;
        }
        const { affected } = await passports.update(
          { id: row.id, numberKeyId: row.numberKeyId, numberCiphertext: row.numberCiphertext },
          sealed,
        );
        if (affected === 0) report.changedMeanwhile += 1;
        else {
          report.rotated += 1;
          fromKeys[row.numberKeyId] = (fromKeys[row.numberKeyId] ?? 0) + 1;
        }
      }
      const rotated = Object.values(fromKeys).reduce((a, b) => a + b, 0);
      if (rotated > 0) {
        await appendAudit(manager, [
          {
            event: 'keys.rotated',
            actor: options.actor ?? null,
            payload: { target: 'passport-numbers', toKeyId: keyring.activeKeyId, fromKeys, rotated },
          },
        ]);
      }
      return rows;
    });
    report.examined += seen.length;
    if (seen.length < batchSize) return report;
    after = seen[seen.length - 1].id;
  }
}

/** How many passport numbers each key id seals: what still depends on a key before it is removed. */
export async function passportKeyUsage(dataSource: DataSource): Promise<Record<string, number>> {
  const rows = await dataSource
    .getRepository(PassportEntity)
    .createQueryBuilder('p')
    .select('p.numberKeyId', 'keyId')
    .addSelect('COUNT(*)', 'count')
    .groupBy('p.numberKeyId')
    .orderBy('p.numberKeyId', 'ASC')
    .getRawMany<{ keyId: string; count: string | number }>();
  return Object.fromEntries(rows.map((r) => [r.keyId, Number(r.count)]));
}
