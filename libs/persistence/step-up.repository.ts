import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { StepUpCodeEntity } from './entities';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** How a code fared: `other_decision` when it is right but was issued for another decision. */
export type StepUpCheck = 'ok' | 'wrong' | 'other_decision' | 'expired' | 'locked' | 'exhausted' | 'missing';

/** A fresh code, or why none was issued: the link's budget is spent, or its codes for this hour are. */
export type StepUpIssue = { code: string } | { refused: 'exhausted' } | { refused: 'too_soon'; nextAt: string };

/**
 * One-time codes for step-up confirmation: six digits, valid for a few minutes, bound to the
 * decision they confirm, used once. The database holds only hashes. Guessing is bounded per code
 * and per link, and every count is a conditional UPDATE (`… WHERE attempts < limit`, checking the
 * rows it changed), so parallel requests cannot read the same count and all pass.
 */
export class StepUpRepository {
  static readonly TTL_MS = 10 * 60_000;
  /** Wrong codes per code. */
  static readonly MAX_ATTEMPTS = 5;
  /** Wrong codes per link, across re-issued codes; then the link needs a fresh email. */
  static readonly LINK_BUDGET = 10;
  /** Codes per link per window. */
  static readonly CODES_PER_WINDOW = 3;
  static readonly WINDOW_MS = 60 * 60_000;

  constructor(private readonly dataSource: DataSource) {}

  /** The hash that binds a code to one decision; the same decision always hashes the same. */
  static decisionHash(decision: { decision: string; comment?: string | null; conditions?: string[] }): string {
    return sha256(JSON.stringify([decision.decision, decision.comment?.trim() ?? '', decision.conditions ?? []]));
  }

  /** A fresh code for this token and decision (replacing any earlier one), unless the link's limits forbid it. */
  async issue(token: string, decisionHash: string, now = new Date()): Promise<StepUpIssue> {
    const tokenHash = sha256(token);
    const at = now.toISOString();
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(StepUpCodeEntity)
      .values({
        tokenHash,
        codeHash: '',
        decisionHash: '',
        expiresAt: at,
        attempts: 0,
        wrongTotal: 0,
        issuedInWindow: 0,
        windowStartedAt: at,
        createdAt: at,
      })
      .orIgnore()
      .execute();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const windowCut = new Date(now.getTime() - StepUpRepository.WINDOW_MS).toISOString();
    const issued = await this.dataSource
      .createQueryBuilder()
      .update(StepUpCodeEntity)
      .set({
        codeHash: sha256(`${token}:${code}`),
        decisionHash,
        expiresAt: new Date(now.getTime() + StepUpRepository.TTL_MS).toISOString(),
        attempts: 0,
        createdAt: at,
        issuedInWindow: () => 'CASE WHEN window_started_at <= :windowCut THEN 1 ELSE issued_in_window + 1 END',
        windowStartedAt: () => 'CASE WHEN window_started_at <= :windowCut THEN :at ELSE window_started_at END',
      })
      .where('token_hash = :tokenHash AND wrong_total < :budget', {
        tokenHash,
        budget: StepUpRepository.LINK_BUDGET,
      })
      .andWhere('(issued_in_window < :perWindow OR window_started_at <= :windowCut)', {
        perWindow: StepUpRepository.CODES_PER_WINDOW,
        windowCut,
        at,
      })
      .execute();
    if (issued.affected === 1) return { code };
    const row = await this.row(tokenHash);
    if (!row || row.wrongTotal >= StepUpRepository.LINK_BUDGET) return { refused: 'exhausted' };
    const nextAt = new Date(new Date(row.windowStartedAt).getTime() + StepUpRepository.WINDOW_MS).toISOString();
    return { refused: 'too_soon', nextAt };
  }

  /**
   * Checks a code for the decision it is to confirm: a right one is consumed; a wrong one (or one
   * issued for another decision) counts against the code's attempts and the link's budget.
   */
  async check(token: string, code: string, decisionHash: string, now = new Date()): Promise<StepUpCheck> {
    const tokenHash = sha256(token);
    const row = await this.row(tokenHash);
    if (!row || !row.codeHash) return 'missing';
    if (row.wrongTotal >= StepUpRepository.LINK_BUDGET) return 'exhausted';
    if (row.attempts >= StepUpRepository.MAX_ATTEMPTS) return 'locked';
    if (row.expiresAt < now.toISOString()) return 'expired';
    const given = sha256(`${token}:${code.trim()}`);
    const codeRight = timingSafeEqual(Buffer.from(row.codeHash, 'hex'), Buffer.from(given, 'hex'));
    if (codeRight && row.decisionHash === decisionHash) {
      const used = await this.dataSource
        .createQueryBuilder()
        .update(StepUpCodeEntity)
        .set({ codeHash: '', decisionHash: '' })
        .where('token_hash = :tokenHash AND code_hash = :given AND decision_hash = :decisionHash', {
          tokenHash,
          given,
          decisionHash,
        })
        .andWhere('attempts < :max AND wrong_total < :budget AND expires_at >= :now', {
          max: StepUpRepository.MAX_ATTEMPTS,
          budget: StepUpRepository.LINK_BUDGET,
          now: now.toISOString(),
        })
        .execute();
      return used.affected === 1 ? 'ok' : this.whyNot(tokenHash);
    }
    const counted = await this.dataSource
      .createQueryBuilder()
      .update(StepUpCodeEntity)
      .set({ attempts: () => 'attempts + 1', wrongTotal: () => 'wrong_total + 1' })
      .where('token_hash = :tokenHash AND code_hash = :current', { tokenHash, current: row.codeHash })
      .andWhere('attempts < :max AND wrong_total < :budget', {
        max: StepUpRepository.MAX_ATTEMPTS,
        budget: StepUpRepository.LINK_BUDGET,
      })
      .execute();
    if (counted.affected !== 1) return this.whyNot(tokenHash);
    return codeRight ? 'other_decision' : 'wrong';
  }

  private row(tokenHash: string): Promise<StepUpCodeEntity | null> {
    return this.dataSource.getRepository(StepUpCodeEntity).findOneBy({ tokenHash });
  }

  /** Why a conditional update changed nothing: another request spent the code or the budget first. */
  private async whyNot(tokenHash: string): Promise<Exclude<StepUpCheck, 'ok' | 'wrong' | 'other_decision'>> {
    const row = await this.row(tokenHash);
    if (!row || !row.codeHash) return 'missing';
    if (row.wrongTotal >= StepUpRepository.LINK_BUDGET) return 'exhausted';
    if (row.attempts >= StepUpRepository.MAX_ATTEMPTS) return 'locked';
    return 'expired';
  }
}
