/* What every phase of `npm run bench` shares: its options, the log, small statistics and the parties it plays. */
import type { PhaseProfile } from '../profile';

export interface BenchOptions {
  /** Requests in the Clearance cycle (and workflows in each baseline run). */
  requests: number;
  /** Open requests left waiting for the scale phase. */
  open: number;
  /** Histories exported and replayed. */
  replay: number;
  /** Concurrent approvers (and baseline Update senders). */
  concurrency: number;
  /** Submissions in flight while opening the waiting requests (a 10,000 run wants more than the approvers' 20). */
  openConcurrency: number;
  postgres?: string;
  json?: string;
  /** Use the development SMTP capture (parses and keeps every mail in this process) instead of a counting sink. */
  capture: boolean;
  /** Log the cycle's most frequent SQL statements. */
  statements: boolean;
  /**
   * `--base URL[,URL…]`: bench an already running system over HTTP (its APIs, taken in turn) instead of
   * starting one in this process; `--temporal ADDRESS` is the Temporal it runs on (required with it).
   */
  base?: string[];
  temporal?: string;
  namespace: string;
}

export function benchOptions(argv: string[] = process.argv): BenchOptions {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const concurrency = Number(arg('concurrency') ?? 20);
  const base = arg('base')
    ?.split(',')
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  const temporal = arg('temporal');
  if (base && !temporal) throw new Error('--base needs --temporal ADDRESS (the Temporal the system runs on)');
  return {
    requests: Number(arg('requests') ?? 40),
    // a running system keeps what the bench opens: fewer by default
    open: Number(arg('open') ?? (base ? 100 : 300)),
    replay: Number(arg('replay') ?? (base ? 20 : 40)),
    concurrency,
    openConcurrency: Number(arg('open-concurrency') ?? concurrency),
    postgres: arg('postgres'),
    json: arg('json'),
    capture: argv.includes('--capture'),
    statements: argv.includes('--statements'),
    base,
    temporal,
    namespace: arg('namespace') ?? 'default',
  };
}

export const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };
export const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
export const median = (v: number[]) => pct(v, 50);
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r2 = (x: number) => Math.round(x * 100) / 100;
export const mib = (b: number) => r1(b / 1024 / 1024);

/** Two runs of a phase as one. */
export function sumProfiles(a: PhaseProfile, b: PhaseProfile): PhaseProfile {
  const byVerb: Record<string, number> = { ...a.dbByVerb };
  for (const [k, v] of Object.entries(b.dbByVerb)) byVerb[k] = (byVerb[k] ?? 0) + v;
  return {
    wallMs: a.wallMs + b.wallMs,
    benchCpuMs: a.benchCpuMs + b.benchCpuMs,
    serverCpuMs: a.serverCpuMs === null || b.serverCpuMs === null ? null : a.serverCpuMs + b.serverCpuMs,
    mainThreadBusy: r2((a.mainThreadBusy * a.wallMs + b.mainThreadBusy * b.wallMs) / (a.wallMs + b.wallMs)),
    dbStatements: a.dbStatements + b.dbStatements,
    dbMs: a.dbMs + b.dbMs,
    dbByVerb: byVerb,
  };
}

/** A phase's profile with its totals divided per cycle (or per request). */
export function perUnit(p: PhaseProfile, n: number) {
  return {
    ...p,
    benchCpuMsPerUnit: r1(p.benchCpuMs / n),
    serverCpuMsPerUnit: p.serverCpuMs === null ? null : r1(p.serverCpuMs / n),
    dbStatementsPerUnit: r1(p.dbStatements / n),
    dbMsPerUnit: r2(p.dbMs / n),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** `count` workers taking jobs off `queue` until `done()`; a worker finding it empty waits `idleMs`. */
export async function drain<T>(
  queue: T[],
  count: number,
  idleMs: number,
  done: () => boolean,
  fn: (job: T) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (!done()) {
        const job = queue.shift();
        if (job === undefined) await sleep(idleMs);
        else await fn(job);
      }
    }),
  );
}

/** `0 … n-1`, the work items of a pool that only counts. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export const PARTIES = [
  { party: 'hr', members: ['hr@example.com', 'hr-lead@example.com'] },
  { party: 'legal', members: ['legal@example.com', 'legal-lead@example.com'] },
  { party: 'security', members: ['security@example.com', 'security-lead@example.com'] },
  { party: 'data_governance', members: ['datagov@example.com', 'datagov-lead@example.com'] },
];
export const REQUESTER = 'carol@example.com';
