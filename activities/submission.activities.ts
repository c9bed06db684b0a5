import type { RequestWorkflowInput, SubmitRequestInput, SubmittedRequest } from '@libs/contracts';
import type { ScreeningHit } from '@libs/domain/screening';
import { initialState } from '@libs/domain/approval-state';
import { determine } from '@libs/domain/authorizations';
import { planRoute } from '@libs/domain/policy/evaluate';
import type { MailActivities } from './mail.activities';
import type { ProjectionActivities } from './projection.activities';
import type { ScreeningActivities } from './screening.activities';

/**
 * The submission in one step (workflows since `cheaper-cycle`): screen the counterparties, plan the
 * route and determine the external authorizations from the policy pinned in the workflow input, and
 * record them. The plan and the initial state
 * are answered to the workflow, so they are in its history as this step's result and never recomputed.
 * Idempotent like its parts: screening only reads, recording a submission twice records it once, and
 * the requester's "submitted" email is sent once per request (its outbox key).
 */
export class SubmissionActivities {
  constructor(
    private readonly screening: ScreeningActivities,
    private readonly projection: ProjectionActivities,
    private readonly mail: MailActivities,
  ) {}

  async submitRequest({ workflow }: SubmitRequestInput): Promise<SubmittedRequest> {
    const screeningHits = await this.screening.screenCounterparties({
      requestId: workflow.requestId,
      counterparties: workflow.request.counterparties,
    });
    const { plan, state } = planSubmission(workflow, screeningHits);
    await this.projection.recordSubmission({ workflow, plan, state });
    // the requester's "submitted" email with the reference (recorded just now): once, through the outbox
    await this.mail.tellSubmitted(workflow);
    return { plan, state };
  }
}

/**
 * What a screened submission is under the policy pinned in its workflow input: the route, and the
 * initial state with the external authorizations and determinations (none in versions from before them).
 */
export function planSubmission(workflow: RequestWorkflowInput, screeningHits: ScreeningHit[]): SubmittedRequest {
  const facts = { request: workflow.request, tier: workflow.requester.tier, flags: workflow.requester.flags };
  const plan = planRoute({ ...facts, screeningHits }, workflow.policy);
  const state = initialState(workflow.requestId, workflow.requester.email, plan);
  const { authorizations, determinations } = determine({ ...facts, screeningHits }, workflow.policy);
  if (authorizations.length > 0 || determinations.length > 0) Object.assign(state, { authorizations, determinations });
  return { plan, state };
}
