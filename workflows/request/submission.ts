import { patched } from '@temporalio/workflow';
import { initialState } from '@libs/domain/approval-state';
import { determine } from '@libs/domain/authorizations';
import { planRoute } from '@libs/domain/policy/evaluate';
import { activities } from '../activity-proxies';
import type { RequestRun } from './run';

const { screenCounterparties, recordSubmission, submitRequest } = activities;

/**
 * Submission: screen the counterparties, plan the route from the policy pinned in the input, and
 * record both. The plan is now in the history and is never recomputed. Since `cheaper-cycle` this is
 * one step, whose result (the plan and the initial state) is what the history holds.
 */
export async function submit(run: RequestRun): Promise<void> {
  const { input } = run;
  if (run.cheaper) {
    const { plan, state } = await submitRequest({ workflow: input });
    run.submitted(plan, state);
    return;
  }
  const screeningHits = await screenCounterparties({
    requestId: input.requestId,
    counterparties: input.request.counterparties,
  });
  const facts = { request: input.request, tier: input.requester.tier, flags: input.requester.flags };
  const plan = planRoute({ ...facts, screeningHits }, input.policy);
  const initial = initialState(input.requestId, input.requester.email, plan);
  // The authorizations and determinations of the pinned policy (none in versions from before them, whose
  // requests never reach this marker) are fixed in the state, and so in the history.
  const { authorizations, determinations } = determine({ ...facts, screeningHits }, input.policy);
  if ((authorizations.length > 0 || determinations.length > 0) && patched('external-authorizations')) {
    Object.assign(initial, { authorizations, determinations });
  }
  await recordSubmission({ workflow: input, plan, state: initial });
  run.submitted(plan, initial);
}
