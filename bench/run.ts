/*
 * Clearance benchmark: `npm run bench [-- --requests N --open M --open-concurrency C2 --replay K --concurrency C --postgres URL --json FILE --capture --statements]`,
 * or against a system already running: `npm run bench -- --base URL[,URL…] --temporal ADDRESS [--namespace NS] [--requests N --open M --replay K --json FILE]`.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { pooledBaseline, startBaseline } from './phases/baseline';
import { benchOptions, REQUESTER } from './phases/common';
import { runCycle } from './phases/cycle';
import { openRequests } from './phases/open-requests';
import { exportHistories, historyCost, replayHistories, timeApprovalMailRender } from './phases/replay';
import { benchResult, report } from './phases/report';
import { pickUpAll, restartWorker } from './phases/restart';
import { connectRunning } from './phases/running';
import { startSystem, stopSystem } from './phases/system';
import { countDatabaseStatements } from './profile';

/** Each phase logs what it measured; the report gathers them into the table and the `--json` file. */
async function main(): Promise<void> {
  const opts = benchOptions();
  if (opts.base) return benchRunning(opts);
  const t0 = Date.now();
  countDatabaseStatements();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const sys = await startSystem(opts, t0);

  // (1)+(2)+(3) the Clearance cycle between two runs of the bare Temporal baseline
  const bare = await startBaseline(sys, opts);
  const baseFirst = await bare.run('before the cycle');
  const cycle = await runCycle(sys, opts);
  const baseline = pooledBaseline(baseFirst, await bare.run('after the cycle'), opts);
  await bare.stop();

  // (5) histories of the cycle: their cost against the baseline's, mail rendering alone, replay
  const histories = await exportHistories(sys, cycle.submitted, opts.replay);
  const history = await historyCost(sys, histories, baseline.started[0]);
  const renderMsPerMail = timeApprovalMailRender(REQUESTER);
  const replay = await replayHistories(sys, histories);

  // (4) the scale of waiting, then a fresh worker that must pick it all up
  const open = await openRequests(sys, opts);
  const restart = await restartWorker(sys, opts, open.ids);
  const pickUp = await pickUpAll(sys, opts, open.ids);

  const phases = { cycle, baseline, history, renderMsPerMail, replay, open, restart, pickUp };
  report(opts, benchResult(opts, t0, phases), phases);
  await stopSystem(sys);
}

/** The same cycle, baseline, history and waiting phases against a running system; no worker restart (not ours to stop). */
async function benchRunning(opts: ReturnType<typeof benchOptions>): Promise<void> {
  const t0 = Date.now();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const sys = await connectRunning(opts, t0);
  try {
    const bare = await startBaseline(sys, opts);
    const baseFirst = await bare.run('before the cycle');
    const cycle = await runCycle(sys, opts);
    const baseline = pooledBaseline(baseFirst, await bare.run('after the cycle'), opts);
    await bare.stop();

    // every cycle's history is counted; the first `--replay` are replayed
    const histories = await exportHistories(sys, cycle.submitted, cycle.submitted.length);
    const history = await historyCost(sys, histories, baseline.started[0]);
    const renderMsPerMail = timeApprovalMailRender(REQUESTER);
    const toReplay = histories.slice(0, opts.replay);
    const replay = sys.replayKit && toReplay.length > 0 ? await replayHistories(sys.replayKit, toReplay) : null;

    const open = await openRequests(sys, opts);
    const phases = { cycle, baseline, history, renderMsPerMail, replay, open, restart: null, pickUp: null };
    report(opts, benchResult(opts, t0, phases), phases);
  } finally {
    await sys.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
