import type { SubmitRequestInput, SubmittedRequest } from '@libs/contracts';
import { initialState } from '@libs/domain/approval-state';
import { planRoute } from '@libs/domain/policy/evaluate';
import type { ProjectionActivities } from './projection.activities';
import type { ScreeningActivities } from './screening.activities';

/**
 * The submission in one step (workflows since `cheaper-cycle`): screen the counterparties, plan the
 * route from the policy pinned in the workflow input, and record both. The plan and the initial state
 * are answered to the workflow, so they are in its history as this step's result and never recomputed.
 * Idempotent like its parts: screening only reads, and recording a submission twice records it once.
 */
export class SubmissionActivities {
  constructor(
    private readonly screening: ScreeningActivities,
    private readonly projection: ProjectionActivities,
  ) {}

  async submitRequest({ workflow }: SubmitRequestInput): Promise<SubmittedRequest> {
    const screeningHits = await this.screening.screenCounterparties({
      requestId: workflow.requestId,
      counterparties: workflow.request.counterparties,
    });
    const plan = planRoute(
      { request: workflow.request, tier: workflow.requester.tier, screeningHits },
      workflow.policy,
    );
    const state = initialState(workflow.requestId, workflow.requester.email, plan);
    await this.projection.recordSubmission({ workflow, plan, state });
    return { plan, state };
  }
}
