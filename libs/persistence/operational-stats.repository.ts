import type { DataSource } from 'typeorm';
import { ApprovalEntity, DecisionEntity, RequestEntity, SentEmailEntity } from './entities';

export interface CountRow {
  labels: Record<string, string>;
  count: number;
}

export interface DecisionLatency {
  party: string;
  seconds: number;
}

/**
 * Counts for the operators' metrics, read from the projection at scrape time so they are right
 * whichever process wrote the rows and however often the processes restart. Only vocabulary
 * values (types, statuses, parties, mail kinds) leave here, never a person.
 */
export class OperationalStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async grouped(entity: new () => object, table: string, columns: Record<string, string>): Promise<CountRow[]> {
    const qb = this.dataSource.getRepository(entity).createQueryBuilder(table).select('COUNT(*)', 'count');
    for (const [alias, column] of Object.entries(columns))
      qb.addSelect(`${table}.${column}`, alias).addGroupBy(`${table}.${column}`);
    const rows = await qb.getRawMany<Record<string, string | number>>();
    return rows.map((row) => ({
      labels: Object.fromEntries(Object.keys(columns).map((alias) => [alias, String(row[alias])])),
      count: Number(row.count),
    }));
  }

  requestsByTypeAndStatus(): Promise<CountRow[]> {
    return this.grouped(RequestEntity, 'r', { type: 'type', status: 'status' });
  }

  decisionsByPartyAndDecision(): Promise<CountRow[]> {
    return this.grouped(DecisionEntity, 'd', { party: 'party', decision: 'decision' });
  }

  emailsByKindAndStatus(): Promise<CountRow[]> {
    return this.grouped(SentEmailEntity, 'm', { kind: 'kind', status: 'status' });
  }

  /**
   * Seconds from the opening of a party's stage to its decision, for every decided approval: a
   * stage opens when the request is submitted (stage 1) or when the last party of the stages
   * before it decided. After an amendment the clock still starts at the submission.
   */
  async decisionLatencies(): Promise<DecisionLatency[]> {
    const rows = await this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .innerJoin(RequestEntity, 'r', 'r.id = a.request_id')
      .select(['a.request_id AS "requestId"', 'a.party AS party', 'a.stage_index AS "stage"'])
      .addSelect(['a.decided_at AS "decidedAt"', 'r.created_at AS "createdAt"'])
      .where('a.decided_at IS NOT NULL')
      .getRawMany<{ requestId: string; party: string; stage: number; decidedAt: string; createdAt: string }>();
    const byRequest = new Map<string, typeof rows>();
    for (const row of rows) byRequest.set(row.requestId, [...(byRequest.get(row.requestId) ?? []), row]);
    const latencies: DecisionLatency[] = [];
    for (const approvals of byRequest.values()) {
      for (const a of approvals) {
        const opened = approvals
          .filter((b) => Number(b.stage) < Number(a.stage))
          .reduce((latest, b) => Math.max(latest, Date.parse(b.decidedAt)), Date.parse(a.createdAt));
        const seconds = (Date.parse(a.decidedAt) - opened) / 1000;
        if (Number.isFinite(seconds)) latencies.push({ party: a.party, seconds: Math.max(0, seconds) });
      }
    }
    return latencies;
  }
}
