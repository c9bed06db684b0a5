import { condition, type CancellationScope } from '@temporalio/workflow';
import { currentStage, isFinal, type RequestState, type StageState } from '@libs/domain/approval-state';
import type { PlannedParty } from '@libs/domain/policy/evaluate';
import { activities } from '../activity-proxies';
import { runCancellable } from '../cancellable';
import type { RequestRun } from './run';
import { watchDeadlines, watchStageDeadlines } from './watch-deadlines';

const { notifyParty, notifyParties } = activities;

/** The stage being decided and in which round; null while the request waits on its requester. */
interface OpenStage {
  index: number;
  round: number;
}

function openStageOf(state: RequestState): OpenStage | null {
  return state.status === 'pending' ? { index: state.currentStage, round: state.round } : null;
}

function sameStage(a: OpenStage | null, b: OpenStage | null): boolean {
  return a?.index === b?.index && a?.round === b?.round;
}

/**
 * The stages, in order, until the request is decided (approved, rejected, expired, withdrawn).
 * Decisions and amendments arrive as Updates; this loop reacts to each change of state: when a
 * stage opens (or reopens in a new round after an amendment) it asks the stage's parties and
 * watches their deadlines, and when changes are requested it tells the requester.
 *
 * Answers with the last stage's deadline watchers still running: the caller cancels them in the same
 * step as its next commands, because the histories record the timer cancellations after those.
 */
export async function runStages(run: RequestRun): Promise<CancellationScope | undefined> {
  let watched: OpenStage | null = null;
  let deadlines: CancellationScope | undefined;
  while (!isFinal(run.current().status)) {
    const now = run.current();
    // Taken before any await: a change that lands while emails go out is not missed.
    const seen = now.seq;
    const open = openStageOf(now);
    if (!sameStage(open, watched)) {
      deadlines?.cancel();
      deadlines = undefined;
      watched = open;
      if (open) deadlines = await askParties(run, currentStage(now), open.round);
    }
    await condition(() => run.current().seq !== seen);
    const after = run.current();
    if (after.status === 'changes_requested' && run.lastRequesterNotice !== after.seq) {
      await run.tellRequester(after);
    }
  }
  return deadlines;
}

/**
 * Asks every party of a stage at once, then watches their deadlines until cancelled. Since
 * `cheaper-cycle` both in one step each: one email step, and one timer at a time for the stage.
 */
async function askParties(run: RequestRun, stage: StageState, round: number): Promise<CancellationScope> {
  const ask = {
    requestId: run.requestId,
    round,
    kind: 'approval' as const,
    sequence: 1,
    summary: run.summary,
    screeningHits: run.route().screeningHits,
  };
  const parties = stage.approvals.map((a) => ({
    party: a.party,
    reasons: a.reasons,
    amendment: run.amendmentNotice(a.party, round),
  }));
  await (run.cheaper
    ? notifyParties({ ...ask, parties })
    : Promise.all(parties.map((p) => notifyParty({ ...ask, ...p }))));
  const planned = stage.approvals.map((a) => plannedParty(run, a.party));
  return runCancellable(() =>
    run.cheaper
      ? watchStageDeadlines(run, planned, round, stage.index)
      : Promise.all(planned.map((p) => watchDeadlines(run, p, round, stage.index))),
  );
}

function plannedParty(run: RequestRun, party: string): PlannedParty {
  return run
    .route()
    .stages.flatMap((s) => s.parties)
    .find((p) => p.party === party)!;
}
