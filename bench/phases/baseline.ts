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
import type { BenchSystem } from './system';

export interface BaselineRun {
  ms: number;
  latencies: number[];
  started: string[];
  profile: PhaseProfile;
}

export interface Baseline {
  run(when: string): Promise<BaselineRun>;
  stop(): Promise<void>;
}

/** Starts the baseline's own worker on its own task queue; `run` drives one batch of `requests` workflows. */
export async function startBaseline(sys: BenchSystem, opts: BenchOptions): Promise<Baseline> {
  const { bareClient } = sys;
  const N = opts.requests;
  const CONCURRENCY = opts.concurrency;
  const baselineQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const baseConn = await NativeConnection.connect({ address: sys.server.address });
  const baseWorker = await Worker.create({
    connection: baseConn,
    taskQueue: baselineQueue,
    workflowsPath: require.resolve('../baseline.workflow'),
    bundlerOptions: {},
  });
  const baseRunning = baseWorker.run();
  const run = async (when: string): Promise<BaselineRun> => {
    log(`baseline ${when}: ${N} workflows × 4 Updates, ${CONCURRENCY} concurrent senders`);
    const latencies: number[] = [];
    const endPhase = startPhase();
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
    bDone = true;
    await bSenders;
    log(`baseline ${when}: ${N} completed in ${ms} ms; profile ${JSON.stringify(profile)}`);
    return { ms, latencies, started, profile };
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
    cyclesPerSecond: (2 * opts.requests) / (ms / 1000),
    updatesPerSecond: updateLatencies.length / (ms / 1000),
  };
}
export type PooledBaseline = ReturnType<typeof pooledBaseline>;
