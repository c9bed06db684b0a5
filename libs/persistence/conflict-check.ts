import { conflictOfInterest } from '../domain/conflict-of-interest';
import { dealNameOf } from '../domain/request';
import type { RequestType } from '../domain/vocabulary';
import type { DirectoryRepository } from './directory.repository';
import type { RequestRepository, StoredRequest } from './request.repository';

/** Gathers the facts for the conflict-of-interest rules from the directory and the requests. */
export class ConflictCheck {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly requests: RequestRepository,
  ) {}

  /** A function telling, for this request, why an approver may not decide (or null). */
  async forRequest({ request }: StoredRequest): Promise<(approverEmail: string) => string | null> {
    const requester = await this.directory.findPerson(request.requesterEmail);
    const dealName = request.type === 'ma_participation' ? dealNameOf(request.details) : '';
    const dealParticipants = dealName ? await this.requests.dealParticipants(dealName) : [];
    return (approverEmail) =>
      conflictOfInterest({
        type: request.type as RequestType,
        approverEmail,
        requesterManagerEmail: requester?.managerEmail ?? null,
        counterparties: request.counterparties,
        dealParticipants: dealParticipants.filter((p) => p !== request.requesterEmail),
      });
  }
}
