import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OperationalStatsRepository } from '../persistence';

/** Hours to weeks: approvers decide from emails. */
const DECISION_BUCKETS = [60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600, 14 * 24 * 3600];

/**
 * Business metrics computed from the database at scrape time (one snapshot per scrape, applied
 * in one synchronous step): right across processes and restarts. A failed read keeps the last
 * values and sets clearance_business_metrics_up to 0.
 */
export function registerBusinessMetrics(registry: Registry, stats: OperationalStatsRepository): void {
  let pending: Promise<void> | undefined;
  const refresh = async () => {
    try {
      const [byType, byParty, latencies, emails] = await Promise.all([
        stats.requestsByTypeAndStatus(),
        stats.decisionsByPartyAndDecision(),
        stats.decisionLatencies(),
        stats.emailsByKindAndStatus(),
      ]);
      requests.reset();
      for (const row of byType) requests.set(row.labels, row.count);
      decisions.reset();
      for (const row of byParty) decisions.inc(row.labels, row.count);
      timeToDecision.reset();
      for (const { party, seconds } of latencies) timeToDecision.observe({ party }, seconds);
      emailsSent.reset();
      emailsUnsent.reset();
      for (const row of emails) {
        if (row.labels.status === 'sent') emailsSent.inc({ kind: row.labels.kind }, row.count);
        else emailsUnsent.inc({ kind: row.labels.kind }, row.count);
      }
      up.set(1);
    } catch {
      up.set(0);
    }
  };
  // every metric's collect() awaits the same refresh, so one scrape reads the database once
  const collect = async () => {
    pending ??= refresh().finally(() => setImmediate(() => (pending = undefined)));
    await pending;
  };
  const requests = new Gauge({
    name: 'clearance_requests',
    help: 'Requests by type and current status',
    labelNames: ['type', 'status'],
    registers: [registry],
    collect,
  });
  const decisions = new Counter({
    name: 'clearance_decisions_total',
    help: 'Accepted decisions by party and decision',
    labelNames: ['party', 'decision'],
    registers: [registry],
    collect,
  });
  const timeToDecision = new Histogram({
    name: 'clearance_time_to_decision_seconds',
    help: "Seconds from the opening of a party's stage to its decision, by party",
    labelNames: ['party'],
    buckets: DECISION_BUCKETS,
    registers: [registry],
    collect,
  });
  const emailsSent = new Counter({
    name: 'clearance_emails_sent_total',
    help: 'Emails recorded as sent in the outbox, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect,
  });
  const emailsUnsent = new Gauge({
    name: 'clearance_emails_unsent',
    help: 'Emails claimed in the outbox and not (yet) sent: in flight, or failing and being retried',
    labelNames: ['kind'],
    registers: [registry],
    collect,
  });
  const up = new Gauge({
    name: 'clearance_business_metrics_up',
    help: '1 when the last scrape read the database, 0 when it failed',
    registers: [registry],
    collect,
  });
}
