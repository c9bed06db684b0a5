import { Injectable } from '@nestjs/common';
import type { RoutePlan } from '@libs/domain/policy';
import { OperationalStatsRepository, ReportsRepository } from '@libs/persistence';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Escalation deadline of a party whose plan names none (the default policy's). */
const DEFAULT_ESCALATE_MS = 72 * HOUR_MS;
/** Longest list of each kind the dashboard shows (the counts are always complete). */
const LIST_LIMIT = 50;

export interface Series {
  key: string;
  counts: number[];
}

export interface DecisionTime {
  party: string;
  decided: number;
  medianHours: number;
  p90Hours: number;
}

export interface OverdueApproval {
  requestId: string;
  type: string;
  requesterEmail: string;
  party: string;
  waitingSince: string;
  hoursWaiting: number;
}

export interface OverdueObligation {
  requestId: string;
  type: string;
  requesterEmail: string;
  kind: string;
  label: string;
  dueAt: string | null;
}

export interface ScreenedRequest {
  requestId: string;
  type: string;
  status: string;
  createdAt: string;
  hits: number;
  counterparties: string[];
}

export interface Dashboard {
  generatedAt: string;
  /** The days of the window, oldest first (UTC, by createdAt). */
  days: string[];
  requests: { total: number; byStatus: Series[]; byType: Series[] };
  decisionTimes: DecisionTime[];
  overdueApprovals: { count: number; items: OverdueApproval[] };
  overdueObligations: { count: number; items: OverdueObligation[] };
  screeningHits: { requests: number; hits: number; items: ScreenedRequest[] };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

const round1 = (value: number) => Math.round(value * 10) / 10;
/** Hours to the second (a decision a minute after its stage opened is not "0 hours"). */
const roundHours = (value: number) => Math.round(value * 3600) / 3600;

/** Auditors' and admins' overview: shapes the projection's rows that ReportsRepository reads. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly stats: OperationalStatsRepository,
  ) {}

  async dashboard(windowDays: number, now = new Date()): Promise<Dashboard> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const days = Array.from({ length: windowDays }, (_, i) =>
      new Date(today - (windowDays - 1 - i) * DAY_MS).toISOString().slice(0, 10),
    );
    const [requests, decisionTimes, overdueApprovals, overdueObligations, screeningHits] = await Promise.all([
      this.requestsPerDay(days),
      this.decisionTimes(),
      this.overdueApprovals(now),
      this.overdueObligations(now),
      this.screeningHits(),
    ]);
    return {
      generatedAt: now.toISOString(),
      days,
      requests,
      decisionTimes,
      overdueApprovals,
      overdueObligations,
      screeningHits,
    };
  }

  private async requestsPerDay(days: string[]): Promise<Dashboard['requests']> {
    const rows = await this.reports.requestCountsPerDay(days[0]);
    const index = new Map(days.map((day, i) => [day, i]));
    const byStatus = new Map<string, number[]>();
    const byType = new Map<string, number[]>();
    let total = 0;
    for (const row of rows) {
      const i = index.get(row.day);
      if (i === undefined) continue;
      const count = Number(row.count);
      total += count;
      for (const [series, key] of [
        [byStatus, row.status],
        [byType, row.type],
      ] as const) {
        const counts = series.get(key) ?? days.map(() => 0);
        counts[i] += count;
        series.set(key, counts);
      }
    }
    const list = (series: Map<string, number[]>) =>
      [...series].sort(([a], [b]) => a.localeCompare(b)).map(([key, counts]) => ({ key, counts }));
    return { total, byStatus: list(byStatus), byType: list(byType) };
  }

  private async decisionTimes(): Promise<DecisionTime[]> {
    const byParty = new Map<string, number[]>();
    for (const { party, seconds } of await this.stats.decisionLatencies()) {
      byParty.set(party, [...(byParty.get(party) ?? []), seconds / 3600]);
    }
    return [...byParty]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([party, hours]) => {
        const sorted = hours.sort((a, b) => a - b);
        return {
          party,
          decided: sorted.length,
          medianHours: roundHours(percentile(sorted, 50)),
          p90Hours: roundHours(percentile(sorted, 90)),
        };
      });
  }

  /** Pending approvals of pending requests waiting longer than their party's escalation deadline. */
  private async overdueApprovals(now: Date): Promise<Dashboard['overdueApprovals']> {
    const pending = await this.reports.pendingApprovals();
    if (pending.length === 0) return { count: 0, items: [] };
    const decided = await this.reports.decidedApprovals([...new Set(pending.map((p) => p.requestId))]);
    const overdue: OverdueApproval[] = [];
    for (const row of pending) {
      const opened = decided
        .filter((d) => d.requestId === row.requestId && Number(d.stage) < Number(row.stage))
        .reduce((latest, d) => Math.max(latest, Date.parse(d.decidedAt)), Date.parse(row.createdAt));
      const waitedMs = now.getTime() - opened;
      if (waitedMs > escalateAfterMs(row.plan, row.party)) {
        overdue.push({
          requestId: row.requestId,
          type: row.type,
          requesterEmail: row.requesterEmail,
          party: row.party,
          waitingSince: new Date(opened).toISOString(),
          hoursWaiting: round1(waitedMs / HOUR_MS),
        });
      }
    }
    overdue.sort((a, b) => b.hoursWaiting - a.hoursWaiting || a.requestId.localeCompare(b.requestId));
    return { count: overdue.length, items: overdue.slice(0, LIST_LIMIT) };
  }

  /** Obligations marked overdue, or still open past their due time. */
  private async overdueObligations(now: Date): Promise<Dashboard['overdueObligations']> {
    const rows: OverdueObligation[] = await this.reports.overdueObligations(now.toISOString());
    return { count: rows.length, items: rows.slice(0, LIST_LIMIT) };
  }

  /** Requests whose counterparties hit the restricted-party list at submission, newest first. */
  private async screeningHits(): Promise<Dashboard['screeningHits']> {
    const rows = await this.reports.screenedRequests();
    const items = rows
      .map((row) => {
        const hits = parseList(row.screeningHits) as { counterparty?: unknown }[];
        return {
          requestId: row.requestId,
          type: row.type,
          status: row.status,
          createdAt: row.createdAt,
          hits: hits.length,
          counterparties: [
            ...new Set(hits.map((h) => (typeof h?.counterparty === 'string' ? h.counterparty : ''))),
          ].filter(Boolean),
        };
      })
      .filter((item) => item.hits > 0);
    return {
      requests: items.length,
      hits: items.reduce((sum, item) => sum + item.hits, 0),
      items: items.slice(0, LIST_LIMIT),
    };
  }
}

function parseList(text: unknown): unknown[] {
  if (Array.isArray(text)) return text;
  try {
    const value: unknown = JSON.parse(String(text));
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function escalateAfterMs(planText: unknown, party: string): number {
  try {
    const plan = (typeof planText === 'string' ? JSON.parse(planText) : planText) as RoutePlan;
    const planned = plan.stages.flatMap((s) => s.parties).find((p) => p.party === party);
    return planned?.deadlines?.escalateAfterMs ?? DEFAULT_ESCALATE_MS;
  } catch {
    return DEFAULT_ESCALATE_MS;
  }
}
