import { initialState } from '@libs/domain/approval-state';
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
  const plan = planRoute({ request: input.request, tier: input.requester.tier, screeningHits }, input.policy);
  const initial = initialState(input.requestId, input.requester.email, plan);
  await recordSubmission({ workflow: input, plan, state: initial });
  run.submitted(plan, initial);
}
