/* Where a bench phase spends its time: database statements, CPU of this process and of the dev server, event loop. */
import type { temporal } from '@temporalio/proto';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

interface Counter {
  statements: number;
  ms: number;
  byVerb: Record<string, number>;
}

const counter: Counter = { statements: 0, ms: 0, byVerb: {} };
/** Statements by their text (parameters are bound, so the text names the query), for the top list. */
const byText = new Map<string, number>();

export function resetStatementTally(): void {
  byText.clear();
}

/** The most frequent statements since the last reset, for the log. */
export function topStatements(n = 15): Array<[string, number]> {
  return [...byText.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** Counts (and times) every SQL statement any TypeORM data source of this process runs: API and worker alike. */
export function countDatabaseStatements(): void {
  for (const runner of [BetterSqlite3QueryRunner, PostgresQueryRunner]) {
    const proto = runner.prototype as unknown as { query: (...args: unknown[]) => Promise<unknown> };
    const original = proto.query;
    proto.query = async function (this: unknown, ...args: unknown[]) {
      const verb = String(args[0]).trimStart().split(/\s/, 1)[0].toUpperCase();
      const t = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        counter.ms += performance.now() - t;
        counter.statements += 1;
        counter.byVerb[verb] = (counter.byVerb[verb] ?? 0) + 1;
        const text = String(args[0]).replace(/\s+/g, ' ').slice(0, 140);
        byText.set(text, (byText.get(text) ?? 0) + 1);
      }
    };
  }
}

/** CPU ticks (user + system) of a process, from /proc (Linux); null elsewhere. */
function procCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The children of this process (the Temporal dev server is one), from /proc. */
function childPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

export interface PhaseProfile {
  wallMs: number;
  /** CPU of the bench process (API, worker, SMTP capture, clients: every thread). */
  benchCpuMs: number;
  /** CPU of the child processes (the Temporal dev server). */
  serverCpuMs: number | null;
  /** Share of the main thread's time spent running JavaScript (API, activities, SMTP capture, HTTP clients). */
  mainThreadBusy: number;
  dbStatements: number;
  dbMs: number;
  dbByVerb: Record<string, number>;
}

/** Starts measuring a phase; the returned function ends it. */
export function startPhase(): () => PhaseProfile {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const children = childPids();
  const childCpu = (): number | null => {
    const values = children.map(procCpuMs);
    return values.some((v) => v === null) || values.length === 0
      ? null
      : values.reduce((a, b) => a! + b!, 0 as number | null);
  };
  const server0 = childCpu();
  const db0 = { statements: counter.statements, ms: counter.ms, byVerb: { ...counter.byVerb } };
  return () => {
    const used = process.cpuUsage(cpu);
    const server1 = childCpu();
    const byVerb: Record<string, number> = {};
    for (const [verb, n] of Object.entries(counter.byVerb)) {
      const d = n - (db0.byVerb[verb] ?? 0);
      if (d > 0) byVerb[verb] = d;
    }
    return {
      wallMs: Math.round(performance.now() - t),
      benchCpuMs: Math.round((used.user + used.system) / 1000),
      serverCpuMs: server0 === null || server1 === null ? null : Math.round(server1 - server0),
      mainThreadBusy: Math.round(performance.eventLoopUtilization(elu).utilization * 100) / 100,
      dbStatements: counter.statements - db0.statements,
      dbMs: Math.round(counter.ms - db0.ms),
      dbByVerb: byVerb,
    };
  };
}

const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']): number =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** Counts and timings from histories: events, workflow tasks, activities (remote and local), their queue and run times. */
export function historyProfile(histories: temporal.api.history.v1.IHistory[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const add = (k: string, v = 1) => (sums[k] = (sums[k] ?? 0) + v);
  for (const h of histories) {
    const events = h.events ?? [];
    const byId = new Map(events.map((e) => [Number(e.eventId), e]));
    for (const e of events) {
      add('events');
      if (e.workflowTaskCompletedEventAttributes) {
        add('workflowTasks');
        const started = byId.get(Number(e.workflowTaskCompletedEventAttributes.startedEventId));
        const scheduled = byId.get(Number(e.workflowTaskCompletedEventAttributes.scheduledEventId));
        if (started) add('workflowTaskRunMs', ms(e.eventTime) - ms(started.eventTime));
        if (started && scheduled) add('workflowTaskQueueMs', ms(started.eventTime) - ms(scheduled.eventTime));
      }
      if (e.timerStartedEventAttributes) add('timersStarted');
      if (e.workflowExecutionUpdateAcceptedEventAttributes) add('updatesAccepted');
      const marker = e.markerRecordedEventAttributes;
      if (marker) add(marker.markerName === 'core_local_activity' ? 'localActivities' : `marker:${marker.markerName}`);
      const a = e.activityTaskScheduledEventAttributes;
      if (a) {
        add('activities');
        add(`activity:${a.activityType?.name}`);
      }
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const started = byId.get(Number(done.startedEventId));
        const scheduled = byId.get(Number(done.scheduledEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        if (started) add(`activityRunMs:${name}`, ms(e.eventTime) - ms(started.eventTime));
        if (started && scheduled) add(`activityQueueMs:${name}`, ms(started.eventTime) - ms(scheduled.eventTime));
      }
    }
  }
  const n = Math.max(histories.length, 1);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(sums)) out[k] = Math.round((v / n) * 10) / 10;
  // Per-task and per-activity means rather than per-cycle sums for the timings.
  for (const k of ['workflowTaskRunMs', 'workflowTaskQueueMs']) {
    if (sums[k] !== undefined) out[k] = Math.round((sums[k] / sums.workflowTasks) * 10) / 10;
  }
  for (const k of Object.keys(sums).filter((k) => /^activity(Run|Queue)Ms:/.test(k))) {
    const name = k.split(':')[1];
    out[k] = Math.round((sums[k] / sums[`activity:${name}`]) * 10) / 10;
  }
  return out;
}
