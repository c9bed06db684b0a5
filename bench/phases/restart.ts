/*
 * A fresh worker that must pick the open requests up: the running one is shut down and a new one
 * created; then decisions on open requests (cold: replayed into the new worker's cache; warm: already
 * there), and every open workflow queried once so the new worker holds them all.
 */
import { stateQuery } from '@libs/contracts';
import { createClearanceWorker } from '../../apps/worker/worker';
import { log, mib, pool, sleep, type BenchOptions } from './common';
import { stopWorker, type BenchSystem } from './system';

export async function restartWorker(sys: BenchSystem, opts: BenchOptions, openIds: string[]) {
  const { http } = sys;
  await stopWorker(sys);
  const tw = performance.now();
  sys.worker = await createClearanceWorker(sys.config, { workflowBundle: { codePath: sys.bundlePath } });
  const workerCreateMs = performance.now() - tw;
  sys.running = sys.worker.worker.run();
  while (sys.worker.worker.getState() !== 'RUNNING') await sleep(5);
  const workerRunningMs = performance.now() - tw;
  const rssAfterRestart = process.memoryUsage().rss;
  // first decision after restart: the workflow is not in the new worker's cache, so it is replayed
  const PICK = Math.min(20, openIds.length);
  const t1 = performance.now();
  const first = await http.as('hr@example.com', 'POST', `/api/requests/${openIds[0]}/decisions`, {
    party: 'hr',
    decision: 'approve',
  });
  const firstDecisionMs = performance.now() - t1;
  if (first.status !== 200) throw new Error(`first decision after restart answered ${first.status}: ${first.text}`);
  const decideAll = async (member: string, party: string): Promise<number[]> => {
    const latencies: number[] = [];
    await pool(openIds.slice(1, PICK), opts.concurrency, async (id) => {
      const t = performance.now();
      const res = await http.as(member, 'POST', `/api/requests/${id}/decisions`, { party, decision: 'approve' });
      if (res.status === 200) latencies.push(performance.now() - t);
    });
    return latencies;
  };
  const coldLat = await decideAll('hr@example.com', 'hr');
  const warmLat = await decideAll('legal@example.com', 'legal');
  log(`restart: Worker created in ${Math.round(workerCreateMs)} ms, first decision ${Math.round(firstDecisionMs)} ms`);
  return { workerCreateMs, workerRunningMs, rssAfterRestart, firstDecisionMs, coldLat, warmLat };
}
export type RestartResult = Awaited<ReturnType<typeof restartWorker>>;

/** Makes the fresh worker pick up every open request: a query on a workflow it does not hold replays its history. */
export async function pickUpAll(sys: BenchSystem, opts: BenchOptions, openIds: string[]) {
  const tPick = performance.now();
  let picked = 0;
  const pickDeadline = Date.now() + 600_000;
  await pool(openIds, opts.openConcurrency, async (id) => {
    if (Date.now() > pickDeadline) return; // bounded: the log and JSON say how many were picked up
    await sys.client.workflow.getHandle(`request-${id}`).query(stateQuery);
    picked += 1;
  });
  const pickUpAllMs = performance.now() - tPick;
  global.gc?.();
  await sleep(500);
  const rssAfterPickUp = process.memoryUsage().rss;
  log(
    `restart: ${picked} open workflows picked up (queried) in ${Math.round(pickUpAllMs)} ms; RSS ${mib(rssAfterPickUp)} MiB`,
  );
  return { picked, pickUpAllMs, rssAfterPickUp };
}
export type PickUpResult = Awaited<ReturnType<typeof pickUpAll>>;
