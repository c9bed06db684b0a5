/*
 * The bare Temporal baseline: the same shape of cycle (a workflow waiting for four Updates) on the
 * plain SDK, no codec, no database, no mail. Run once before and once after the Clearance cycle
 * and pooled: a single short run swings with whatever else the two shared cores are doing.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { baselineApproval, decideBaseline } from '../baseline.workflow';
import { startPhase, type PhaseProfile } from '../profile';
import { drain, log, PARTIES, pool, range, sumProfiles, type BenchOptions } from './common';
import type { BenchTarget } from './system';

export interface BaselineRun {
  ms: number;
  latencies: number[];
  started: string[];
  profile: PhaseProfile;
  /** CPU ms of the running system's processes by role during the run (Temporal's is the baseline's cost), or null in-process. */
  processCpuMs: Record<string, number | null> | null;
}

export interface Baseline {
  run(when: string): Promise<BaselineRun>;
  stop(): Promise<void>;
}

/** Starts the baseline's own worker on its own task queue; `run` drives one batch of `requests` workflows. */
export async function startBaseline(sys: BenchTarget, opts: BenchOptions): Promise<Baseline> {
  const { bareClient, processes } = sys;
  const N = opts.requests;
  const CONCURRENCY = opts.concurrency;
  const baselineQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const baseConn = await NativeConnection.connect({ address: sys.temporalAddress });
  const baseWorker = await Worker.create({
    connection: baseConn,
    namespace: sys.namespace,
    taskQueue: baselineQueue,
    workflowsPath: require.resolve('../baseline.workflow'),
    bundlerOptions: {},
  });
  const baseRunning = baseWorker.run();
  const run = async (when: string): Promise<BaselineRun> => {
    log(`baseline ${when}: ${N} workflows × 4 Updates, ${CONCURRENCY} concurrent senders`);
    const latencies: number[] = [];
    const endPhase = startPhase();
    const cpuBefore = processes?.cpu();
    const bStart = Date.now();
    const handles: { id: string; party: string }[] = [];
    const started: string[] = [];
    let bDone = false;
    const bStarting = pool(range(N), CONCURRENCY, async (i) => {
      const id = `baseline-${randomBytes(4).toString('hex')}-${i}`;
      await bareClient.workflow.start(baselineApproval, { taskQueue: baselineQueue, workflowId: id, args: [4] });
      started.push(id);
      for (const p of PARTIES) handles.push({ id, party: p.party });
    });
    const bSenders = drain(
      handles,
      CONCURRENCY,
      5,
      () => bDone,
      async (job) => {
        const t = performance.now();
        await bareClient.workflow.getHandle(job.id).executeUpdate(decideBaseline, { args: [job.party] });
        latencies.push(performance.now() - t);
      },
    );
    await bStarting;
    await Promise.all(started.map((id) => bareClient.workflow.getHandle(id).result()));
    const ms = Date.now() - bStart;
    const profile = endPhase();
    const processCpuMs = processes && cpuBefore ? processes.cpuByRole(cpuBefore, processes.cpu()) : null;
    bDone = true;
    await bSenders;
    log(`baseline ${when}: ${N} completed in ${ms} ms; profile ${JSON.stringify(profile)}`);
    if (processCpuMs)
      log(`baseline ${when}: CPU of the running system's processes, ms by role: ${JSON.stringify(processCpuMs)}`);
    return { ms, latencies, started, profile, processCpuMs };
  };
  return {
    run,
    async stop() {
      baseWorker.shutdown();
      await baseRunning;
      await baseConn.close();
    },
  };
}

/** The two runs pooled. */
export function pooledBaseline(first: BaselineRun, second: BaselineRun, opts: BenchOptions) {
  const ms = first.ms + second.ms;
  const updateLatencies = [...first.latencies, ...second.latencies];
  return {
    ms,
    runs: [first.ms, second.ms],
    updateLatencies,
    /** Workflows of the second run, whose history the replay phase compares with a cycle's. */
    started: second.started,
    profile: sumProfiles(first.profile, second.profile),
    processCpuMs: sumRoles(first.processCpuMs, second.processCpuMs),
    cyclesPerSecond: (2 * opts.requests) / (ms / 1000),
    updatesPerSecond: updateLatencies.length / (ms / 1000),
  };
}
export type PooledBaseline = ReturnType<typeof pooledBaseline>;

function sumRoles(
  a: Record<string, number | null> | null,
  b: Record<string, number | null> | null,
): Record<string, number | null> | null {
  if (!a || !b) return null;
  const out: Record<string, number | null> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k];
    const y = b[k];
    out[k] = x === null || x === undefined || y === null || y === undefined ? null : x + y;
  }
  return out;
}
