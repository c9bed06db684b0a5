import type { ProjectStateInput, RecordSubmissionInput } from '../libs/contracts';
import type { RequestProjectionWriter } from '../libs/persistence';

/** Writes workflow state to the database projection the API reads. */
export class ProjectionActivities {
  constructor(
    private readonly projection: RequestProjectionWriter,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The workflow's first write: the request, its plan and its initial approvals. Idempotent. */
  async recordSubmission(input: RecordSubmissionInput): Promise<void> {
    await this.projection.recordSubmission(input, this.clock().toISOString());
  }

  /** Idempotent: a state the projection already holds (same or newer seq) is ignored. */
  async projectState(input: ProjectStateInput): Promise<void> {
    await this.projection.projectState(input, this.clock().toISOString());
  }
}
