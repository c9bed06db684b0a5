import type { ProjectStateInput } from '../libs/contracts';
import type { RequestRepository } from '../libs/persistence';

/** Writes workflow state to the database projection the API reads. */
export class ProjectionActivities {
  constructor(
    private readonly requests: RequestRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Idempotent: a state the projection already holds (same or newer seq) is ignored. */
  async projectState(input: ProjectStateInput): Promise<void> {
    await this.requests.projectState(input, this.clock().toISOString());
  }
}
