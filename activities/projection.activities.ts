import { ApplicationFailure } from '@temporalio/activity';
import type { ProjectStateInput, ProjectStatesInput, RecordSubmissionInput } from '@libs/contracts';
import type { UpdateProofs } from '@libs/crypto';
import type { RequestProjectionWriter } from '@libs/persistence';

/**
 * Who may start a request: the API, which puts the request's proof key into the workflow input.
 * `required`: a start without a key is refused too (production; dev and the workflow specs start
 * workflows without one, which then keep the rules of workflows from before proofs).
 */
export interface SubmissionProofCheck {
  proofs: UpdateProofs;
  required: boolean;
}

/** Writes workflow state to the database projection the API reads. */
export class ProjectionActivities {
  constructor(
    private readonly projection: RequestProjectionWriter,
    private readonly submissionProof: SubmissionProofCheck,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The workflow's first write: the request, its plan and its initial approvals. Idempotent. A
   * workflow started from outside the API (a proof key that is not the API's) records nothing.
   */
  async recordSubmission(input: RecordSubmissionInput): Promise<void> {
    const { requestId, proofKey } = input.workflow;
    const { proofs, required } = this.submissionProof;
    if ((proofKey !== undefined || required) && !proofs.isKeyOf(requestId, proofKey)) {
      throw ApplicationFailure.nonRetryable(
        'this request was not submitted through the API',
        'SUBMISSION_NOT_FROM_API',
      );
    }
    await this.projection.recordSubmission(input, this.clock().toISOString());
  }

  /** Idempotent: a state the projection already holds (same or newer seq) is ignored. */
  async projectState(input: ProjectStateInput): Promise<void> {
    await this.projection.projectState(input, this.clock().toISOString());
  }

  /**
   * Several states in one step, oldest first, each written as `projectState` writes it (seq-guarded,
   * its decision and audit entry kept once): a retry rewrites nothing already stored.
   */
  async projectStates({ states }: ProjectStatesInput): Promise<void> {
    for (const input of states) await this.projection.projectState(input, this.clock().toISOString());
  }
}
