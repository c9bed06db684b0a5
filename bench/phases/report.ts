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
  replay: ReplayResult;
  open: OpenRequestsResult;
  restart: RestartResult;
  pickUp: PickUpResult;
}

export function benchResult(opts: BenchOptions, t0: number, phases: BenchPhases) {
  const { cycle, baseline, history, replay, open, restart, pickUp } = phases;
  const N = opts.requests;
  const cpus = os.cpus();
  return {
    when: new Date().toISOString(),
    database: opts.postgres ? 'postgres' : 'sqlite',
    mailbox: opts.capture ? 'SmtpCapture (parses and keeps every mail, in-process)' : 'counting SMTP sink (in-process)',
    requests: N,
    concurrency: opts.concurrency,
    cycleMs: cycle.cycleMs,
    cyclesPerSecond: r2(cycle.cyclesPerSecond),
    decisions: cycle.decisions,
    decisionsPerSecond: r2(cycle.decisionsPerSecond),
    cycleSubmittedMs: cycle.submittedMs,
    cycleApprovedMs: cycle.approvedMs,
    cycleClosedMs: cycle.closedMs,
    cycleProfile: perUnit(cycle.profile, N),
    cycleInboxPolls: cycle.inboxPolls,
    refusedDecisions: cycle.refused,
    emailsPerRequest: r2(cycle.mailsPerRequest),
    baselineMs: baseline.ms,
    baselineCyclesPerSecond: r2(baseline.cyclesPerSecond),
    baselineUpdatesPerSecond: r2(baseline.updatesPerSecond),
    baselineRatio: r2(cycle.cyclesPerSecond / baseline.cyclesPerSecond),
    baselineRuns: baseline.runs,
    baselineProfile: perUnit(baseline.profile, 2 * N),
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
    openProfile: perUnit(open.profile, Math.max(open.ids.length, 1)),
    workerRssMiB: mib(open.rssOpen),
    rssBeforeOpenMiB: mib(open.rssBefore),
    heapUsedOpenMiB: mib(open.heapOpen),
    rssAfterRestartMiB: mib(restart.rssAfterRestart),
    pickUpAllMs: Math.round(pickUp.pickUpAllMs),
    pickedUp: pickUp.picked,
    rssAfterPickUpMiB: mib(pickUp.rssAfterPickUp),
    rssNote:
      'RSS of the single bench process: Temporal worker + API + SMTP capture + HTTP clients (not the dev server)',
    listLatencyMedianMs: r1(median(open.listLat)),
    inboxLatencyMedianMs: r1(median(open.inboxLat)),
    workerCreateMs: Math.round(restart.workerCreateMs),
    workerRunningMs: Math.round(restart.workerRunningMs),
    firstDecisionAfterRestartMs: Math.round(restart.firstDecisionMs),
    coldDecisionP50Ms: r1(median(restart.coldLat)),
    warmDecisionP50Ms: r1(median(restart.warmLat)),
    historyPerCycle: history.perCycle,
    renderMsPerMail: r2(phases.renderMsPerMail),
    historyNote:
      'history of request-<id> at export time (approved, still tracking obligations); baseline history is complete',
    baselineHistoryEvents: history.baselineEvents,
    baselineWorkflowTasks: history.baselineWorkflowTasks,
    replayHistories: replay.histories,
    replayEvents: replay.eventCount,
    rawReplayMs: Math.round(replay.rawReplayMs),
    projectReplayMs: Math.round(replay.projectReplayMs),
    replayRatio: r2(replay.projectReplayMs / replay.rawReplayMs),
    replayOk: { raw: replay.rawOk, project: replay.projOk },
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
  const rows: [string, string, string][] = [
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
      'Process RSS (worker in-process)',
      `${result.workerRssMiB} MiB`,
      `${result.rssBeforeOpenMiB} MiB before opening them`,
    ],
    ['GET /api/requests?limit=50', `median ${result.listLatencyMedianMs} ms`, '20 calls, auditor'],
    ['GET /api/approvals/inbox', `median ${result.inboxLatencyMedianMs} ms`, `20 calls, hr (${open.inboxTotal} items)`],
    [
      'Fresh worker start-up',
      `${result.workerCreateMs} ms create, ${result.workerRunningMs} ms to RUNNING`,
      `first decision after restart ${result.firstDecisionAfterRestartMs} ms`,
    ],
    [
      'Fresh worker picks up all open',
      `${result.pickUpAllMs} ms`,
      `${pickUp.picked} queried (replayed); RSS ${result.rssAfterPickUpMiB} MiB after`,
    ],
    [
      'Decision after restart',
      `cold p50 ${result.coldDecisionP50Ms} ms, warm p50 ${result.warmDecisionP50Ms} ms`,
      `${restart.coldLat.length} requests`,
    ],
    [
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
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write('\n' + rows.map((r) => `${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${r[2]}`).join('\n') + '\n');
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${opts.json}`);
  }
}
