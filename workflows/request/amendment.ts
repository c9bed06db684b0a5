import type { AmendInput, AmendmentNotice } from '@libs/contracts';
import {
  changedFields,
  describeChange,
  describeRouteChange,
  earlierDecisions,
  replan,
  restartAfterAmendment,
  routeChange,
} from '@libs/domain/amendment';
import { restartCurrentStage, type RequestState } from '@libs/domain/approval-state';
import { determine, redetermine } from '@libs/domain/authorizations';
import { planRoute } from '@libs/domain/policy/evaluate';
import type { Party } from '@libs/domain/vocabulary';
import { activities } from '../activity-proxies';
import { refuse } from '../refuse';
import type { RequestRun } from './run';

const { screenCounterparties } = activities;

/**
 * The requester's amendment is reviewed as what the request now is: its counterparties are screened
 * and its route planned again from the pinned policy (both in the history). A different route or new
 * screening hits restart review at stage 1 of the new route, the approvals given on the earlier
 * content superseded; the same route restarts the current stage. Either way the amendment is
 * recorded with who made it and what changed, and the parties asked again are told.
 *
 * Requests amended before this existed restarted the current stage and recorded nothing more (their
 * histories have no `replan-on-amend` marker).
 */
export async function reviewAmendment(run: RequestRun, amend: AmendInput): Promise<RequestState> {
  if (!run.since('replan-on-amend')) {
    run.amended(amend.request);
    await run.commit(restartCurrentStage(run.current()), { amendedRequest: amend.request });
    return run.current();
  }
  const before = run.current();
  const previous = run.request;
  const screeningHits = await screenCounterparties({
    requestId: run.requestId,
    counterparties: amend.request.counterparties,
  });
  // Another Update (a withdrawal, a second amendment) may have landed while the screening ran.
  if (run.current().seq !== before.seq) {
    refuse(
      'REQUEST_NOT_AMENDABLE',
      `the request changed while the amendment was screened (it is ${run.current().status})`,
    );
  }
  const plan = planRoute({ request: amend.request, tier: run.input.requester.tier, screeningHits }, run.input.policy);
  const change = routeChange(run.route(), plan, before.round + 1);
  const next = change ? replan(before, plan, change) : restartAfterAmendment(before);
  // Requests that track external authorizations (patch `external-authorizations` at submission) need
  // what the amended request needs under the pinned policy; what was recorded on kinds still needed stays.
  if (before.authorizations) {
    const facts = { request: amend.request, tier: run.input.requester.tier, flags: run.input.requester.flags };
    Object.assign(next, redetermine(before, determine({ ...facts, screeningHits }, run.input.policy)));
  }
  const changes = changedFields(previous, amend.request);
  run.amended(amend.request);
  if (change) run.replanned(plan);
  run.askedAgainAfterAmendment(
    next.round,
    noticesFor(run, before, changes.map(describeChange), change && describeRouteChange(change), amend.reply),
  );
  await run.commit(next, {
    amendedRequest: amend.request,
    plan: change ? plan : undefined,
    amendment: {
      actorEmail: amend.actorEmail.toLowerCase(),
      actorName: run.input.requester.name,
      amendedAt: amend.amendedAt,
      changes,
      routeChange: change,
      // (an activity's input, not a command: histories without a reply replay as before)
      ...(amend.reply ? { reply: amend.reply } : {}),
    },
  });
  return run.current();
}

/** What each party asked again reads: the changes, the route change, what it said before, and the requester's reply. */
function noticesFor(
  run: RequestRun,
  before: RequestState,
  changes: string[],
  routeChange: string | null,
  reply: string | undefined,
): (party: Party) => AmendmentNotice {
  const earlier = earlierDecisions(before);
  return (party) => ({
    byName: run.input.requester.name,
    changes,
    routeChange,
    earlier: earlier[party] ?? null,
    ...(reply ? { reply } : {}),
  });
}
