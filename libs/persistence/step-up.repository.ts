import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { StepUpCodeEntity } from './entities';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export type StepUpCheck = 'ok' | 'wrong' | 'expired' | 'locked' | 'missing';

/**
 * One-time codes for step-up confirmation: six digits, valid for a few minutes, a few attempts,
 * used once. The database holds only hashes.
 */
export class StepUpRepository {
  static readonly TTL_MS = 10 * 60_000;
  static readonly MAX_ATTEMPTS = 5;

  constructor(private readonly dataSource: DataSource) {}

  /** A fresh code for this token (replacing any earlier one); the caller mails it. */
  async issue(token: string, now = new Date()): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.dataSource.getRepository(StepUpCodeEntity).save({
      tokenHash: sha256(token),
      codeHash: sha256(`${token}:${code}`),
      expiresAt: new Date(now.getTime() + StepUpRepository.TTL_MS).toISOString(),
      attempts: 0,
      createdAt: now.toISOString(),
    });
    return code;
  }

  /** Checks a code; a correct one is consumed, a wrong one counts against the attempts. */
  async check(token: string, code: string, now = new Date()): Promise<StepUpCheck> {
    const repo = this.dataSource.getRepository(StepUpCodeEntity);
    const row = await repo.findOneBy({ tokenHash: sha256(token) });
    if (!row) return 'missing';
    if (row.expiresAt < now.toISOString()) return 'expired';
    if (row.attempts >= StepUpRepository.MAX_ATTEMPTS) return 'locked';
    const expected = Buffer.from(row.codeHash, 'hex');
    const given = Buffer.from(sha256(`${token}:${code.trim()}`), 'hex');
    if (!timingSafeEqual(expected, given)) {
      await repo.update({ tokenHash: row.tokenHash }, { attempts: row.attempts + 1 });
      return row.attempts + 1 >= StepUpRepository.MAX_ATTEMPTS ? 'locked' : 'wrong';
    }
    await repo.delete({ tokenHash: row.tokenHash });
    return 'ok';
  }
}
