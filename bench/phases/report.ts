/* The bench's result: one JSON object (the `--json` file) and the table printed on stdout. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { PooledBaseline } from './baseline';
import { log, median, mib, pct, perUnit, r1, r2, type BenchOptions } from './common';
import type { CycleResult } from './cycle';
import type { OpenRequestsResult } from './open-requests';
import type { HistoryCost, ReplayResult } from './replay';
import type { PickUpResult, RestartResult } from './restart';

export interface BenchPhases {
  cycle: CycleResult;
  baseline: PooledBaseline;
  history: HistoryCost;
  renderMsPerMail: number;
  /** Null when the bench had no codec to replay with (a running system with other keys) or `--replay 0`. */
  replay: ReplayResult | null;
  open: OpenRequestsResult;
  /** Null against a running system: the bench does not own its worker. */
  restart: RestartResult | null;
  pickUp: PickUpResult | null;
}

const perCycleByRole = (cpu: Record<string, number | null> | null, n: number) =>
  cpu ? Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v === null ? null : r1(v / n)])) : null;

export function benchResult(opts: BenchOptions, t0: number, phases: BenchPhases) {
  const { cycle, baseline, history, replay, open, restart, pickUp } = phases;
  const N = opts.requests;
  const cpus = os.cpus();
  const running = opts.base !== undefined;
  const nullIf = <T>(v: T): T | null => (running ? null : v);
  return {
    when: new Date().toISOString(),
    mode: running ? 'running' : 'in-process',
    base: opts.base ?? null,
    temporal: opts.temporal ?? null,
    namespace: running ? opts.namespace : null,
    database: running ? null : opts.postgres ? 'postgres' : 'sqlite',
    mailbox: running
      ? null
      : opts.capture
        ? 'SmtpCapture (parses and keeps every mail, in-process)'
        : 'counting SMTP sink (in-process)',
    requests: N,
    concurrency: opts.concurrency,
    cycleMs: cycle.cycleMs,
    cyclesPerSecond: r2(cycle.cyclesPerSecond),
    decisions: cycle.decisions,
    decisionsPerSecond: r2(cycle.decisionsPerSecond),
    cycleSubmittedMs: cycle.submittedMs,
    cycleApprovedMs: cycle.approvedMs,
    cycleClosedMs: cycle.closedMs,
    cycleProfile: running ? null : perUnit(cycle.profile, N),
    /** The bench process alone (the simulated users and the HTTP client), per cycle: against a running system. */
    benchClientCpuMsPerCycle: running ? r1(cycle.profile.benchCpuMs / N) : null,
    /** CPU of the running system's processes per cycle, by role (api, worker, temporal, other). */
    processCpuMsPerCycle: perCycleByRole(cycle.processCpuMs, N),
    /** Same for the bare baseline: the Temporal server's CPU per bare cycle on the same server. */
    baselineProcessCpuMsPerCycle: perCycleByRole(baseline.processCpuMs, 2 * N),
    cycleInboxPolls: cycle.inboxPolls,
    refusedDecisions: cycle.refused,
    emailsPerRequest: cycle.mailsPerRequest === null ? null : r2(cycle.mailsPerRequest),
    baselineMs: baseline.ms,
    baselineCyclesPerSecond: r2(baseline.cyclesPerSecond),
    baselineUpdatesPerSecond: r2(baseline.updatesPerSecond),
    baselineRatio: r2(cycle.cyclesPerSecond / baseline.cyclesPerSecond),
    baselineRuns: baseline.runs,
    baselineProfile: running ? null : perUnit(baseline.profile, 2 * N),
    decisionP50Ms: r1(pct(cycle.decisionLatencies, 50)),
    decisionP95Ms: r1(pct(cycle.decisionLatencies, 95)),
    decisionP99Ms: r1(pct(cycle.decisionLatencies, 99)),
    baselineUpdateP50Ms: r1(pct(baseline.updateLatencies, 50)),
    baselineUpdateP95Ms: r1(pct(baseline.updateLatencies, 95)),
    baselineUpdateP99Ms: r1(pct(baseline.updateLatencies, 99)),
    openRequests: open.inboxTotal,
    openSubmitted: open.ids.length,
    openFailures: open.failures,
    openConcurrency: opts.openConcurrency,
    openSubmittedMs: open.submittedMs,
    openSubmitPerSecond: r2(open.ids.length / (open.submittedMs / 1000)),
    openSubmitMs: open.projectedMs,
    openMailedMs: open.mailedMs,
    openProfile: running ? null : perUnit(open.profile, Math.max(open.ids.length, 1)),
    workerRssMiB: running ? (open.rssByRoleOpen?.worker ?? null) : mib(open.rssOpen),
    rssBeforeOpenMiB: running ? (open.rssByRoleBefore?.worker ?? null) : mib(open.rssBefore),
    heapUsedOpenMiB: nullIf(mib(open.heapOpen)),
    /** Against a running system: RSS summed per role with the open requests waiting, MiB. */
    rssByRoleMiB: open.rssByRoleOpen,
    /** Against a running system: each process with its RSS then and its peak over the run (sampled every second). */
    processes: open.processesOpen,
    rssAfterRestartMiB: restart ? mib(restart.rssAfterRestart) : null,
    pickUpAllMs: pickUp ? Math.round(pickUp.pickUpAllMs) : null,
    pickedUp: pickUp ? pickUp.picked : null,
    rssAfterPickUpMiB: pickUp ? mib(pickUp.rssAfterPickUp) : null,
    rssNote: running
      ? 'workerRssMiB: the worker processes of the running system (summed when several; each in `processes`), from /proc/<pid>/status VmRSS'
      : 'RSS of the single bench process: Temporal worker + API + SMTP capture + HTTP clients (not the dev server)',
    listLatencyMedianMs: r1(median(open.listLat)),
    inboxLatencyMedianMs: r1(median(open.inboxLat)),
    listP95Ms: r1(pct(open.listLat, 95)),
    inboxP95Ms: r1(pct(open.inboxLat, 95)),
    workerCreateMs: restart ? Math.round(restart.workerCreateMs) : null,
    workerRunningMs: restart ? Math.round(restart.workerRunningMs) : null,
    firstDecisionAfterRestartMs: restart ? Math.round(restart.firstDecisionMs) : null,
    coldDecisionP50Ms: restart ? r1(median(restart.coldLat)) : null,
    warmDecisionP50Ms: restart ? r1(median(restart.warmLat)) : null,
    historyEventsPerCycle: history.perCycle.events ?? null,
    activitiesPerCycle: history.perCycle.activities ?? 0,
    historyPerCycle: history.perCycle,
    renderMsPerMail: r2(phases.renderMsPerMail),
    historyNote:
      'history of request-<id> at export time (approved, still tracking obligations); baseline history is complete',
    baselineHistoryEvents: history.baselineEvents,
    baselineWorkflowTasks: history.baselineWorkflowTasks,
    replayHistories: replay ? replay.histories : null,
    replayEvents: replay ? replay.eventCount : null,
    rawReplayMs: replay ? Math.round(replay.rawReplayMs) : null,
    projectReplayMs: replay ? Math.round(replay.projectReplayMs) : null,
    replayRatio: replay ? r2(replay.projectReplayMs / replay.rawReplayMs) : null,
    replayOk: replay ? { raw: replay.rawOk, project: replay.projOk } : null,
    totalMs: Date.now() - t0,
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: r1(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: os.loadavg().map(r2),
  };
}
export type BenchResult = ReturnType<typeof benchResult>;

/** Prints the table on stdout and, with `--json FILE`, writes the result there. */
export function report(opts: BenchOptions, result: BenchResult, phases: BenchPhases): void {
  const { cycle, baseline, replay, open, restart, pickUp } = phases;
  const N = opts.requests;
  const rows: ([string, string, string] | null)[] = [
    [
      'Clearance cycle',
      `${result.cyclesPerSecond} cycles/s, ${result.decisionsPerSecond} decisions/s`,
      `${N} requests × 4 parties in ${cycle.cycleMs} ms; ${result.emailsPerRequest} emails/request`,
    ],
    [
      'Bare Temporal baseline',
      `${result.baselineCyclesPerSecond} cycles/s, ${result.baselineUpdatesPerSecond} updates/s`,
      `2 × ${N} workflows × 4 Updates in ${baseline.runs[0]} + ${baseline.runs[1]} ms (before and after the cycle)`,
    ],
    ['Ratio Clearance / baseline', `${result.baselineRatio}`, 'goal ≥ 0.8'],
    [
      'Decision POST → 200',
      `p50 ${result.decisionP50Ms} / p95 ${result.decisionP95Ms} / p99 ${result.decisionP99Ms} ms`,
      `${cycle.decisionLatencies.length} decisions, ${opts.concurrency} approvers`,
    ],
    [
      'Bare Update round trip',
      `p50 ${result.baselineUpdateP50Ms} / p95 ${result.baselineUpdateP95Ms} / p99 ${result.baselineUpdateP99Ms} ms`,
      `${baseline.updateLatencies.length} Updates`,
    ],
    [
      'Open requests waiting',
      `${open.inboxTotal}`,
      `submitted in ${open.submittedMs} ms (${result.openSubmitPerSecond}/s, ${opts.openConcurrency} in flight), projected after ${open.projectedMs} ms`,
    ],
    [
      result.mode === 'running' ? 'Worker RSS (worker processes)' : 'Process RSS (worker in-process)',
      `${result.workerRssMiB} MiB`,
      `${result.rssBeforeOpenMiB} MiB before opening them`,
    ],
    ...(open.processesOpen ?? []).map((p): [string, string, string] => [
      `  ${p.label} (pid ${p.pid})`,
      `${p.rssMiB} MiB`,
      `peak ${p.peakRssMiB} MiB during the run`,
    ]),
    result.processCpuMsPerCycle
      ? [
          'CPU per cycle by role',
          Object.entries(result.processCpuMsPerCycle)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') + ' ms',
          `bare baseline: ${Object.entries(result.baselineProcessCpuMsPerCycle ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} ms; bench client ${result.benchClientCpuMsPerCycle} ms`,
        ]
      : null,
    [
      'History per cycle',
      `${result.historyEventsPerCycle} events, ${result.activitiesPerCycle} activities`,
      `baseline ${result.baselineHistoryEvents} events`,
    ],
    [
      'GET /api/requests?limit=50',
      `median ${result.listLatencyMedianMs} ms, p95 ${result.listP95Ms} ms`,
      '20 calls, auditor',
    ],
    [
      'GET /api/approvals/inbox',
      `median ${result.inboxLatencyMedianMs} ms, p95 ${result.inboxP95Ms} ms`,
      `20 calls, hr (${open.inboxTotal} items opened)`,
    ],
    restart && [
      'Fresh worker start-up',
      `${result.workerCreateMs} ms create, ${result.workerRunningMs} ms to RUNNING`,
      `first decision after restart ${result.firstDecisionAfterRestartMs} ms`,
    ],
    pickUp && [
      'Fresh worker picks up all open',
      `${result.pickUpAllMs} ms`,
      `${pickUp.picked} queried (replayed); RSS ${result.rssAfterPickUpMiB} MiB after`,
    ],
    restart && [
      'Decision after restart',
      `cold p50 ${result.coldDecisionP50Ms} ms, warm p50 ${result.warmDecisionP50Ms} ms`,
      `${restart.coldLat.length} requests`,
    ],
    replay && [
      'Replay',
      `raw ${result.rawReplayMs} ms, replayHistories ${result.projectReplayMs} ms (×${result.replayRatio})`,
      `${replay.histories} histories, ${replay.eventCount} events; ok ${replay.rawOk}/${replay.projOk}`,
    ],
    [
      'Machine',
      `${result.cpuCount} × ${result.cpuModel}`,
      `${result.memoryGiB} GiB, Node ${result.node}, load ${result.loadAverage.join(' ')}`,
    ],
  ];
  const shown = rows.filter((r): r is [string, string, string] => r !== null);
  const w0 = Math.max(...shown.map((r) => r[0].length));
  const w1 = Math.max(...shown.map((r) => r[1].length));
  process.stdout.write('\n' + shown.map((r) => `${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${r[2]}`).join('\n') + '\n');
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${opts.json}`);
  }
}
