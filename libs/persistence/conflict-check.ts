import { conflictOfInterest, reviewersLeft } from '../domain/conflict-of-interest';
import { dealNameOf } from '../domain/request';
import type { Party, RequestType } from '../domain/vocabulary';
import type { AssignedReviewerRepository } from './assigned-reviewer.repository';
import type { DirectoryRepository, PartyMember } from './directory.repository';
import type { RequestRepository, StoredRequest } from './request.repository';

/** Who of a party may review one request. */
export interface PartyReviewers {
  members: PartyMember[];
  /** Reviewers an admin assigned to this party on this request. */
  assigned: string[];
  /** Members and assigned reviewers who are neither the requester nor conflicted. */
  left: string[];
}

/**
 * Gathers the facts for the conflict-of-interest rules from the directory and the requests, and
 * decides who of a party may review a request: its members, or the reviewers an admin assigned.
 */
export class ConflictCheck {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly requests: RequestRepository,
    private readonly assignments: AssignedReviewerRepository,
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
        dealParticipants: dealParticipants.filter((p) => p !== request.requesterEmail),
      });
  }

  /**
   * The members and assigned reviewers of a party for this request, and who of them may decide
   * (`conflictOf`: this request's `forRequest`, when the caller has it already).
   */
  async reviewersOf(
    stored: StoredRequest,
    party: Party,
    conflictOf?: (approverEmail: string) => string | null,
  ): Promise<PartyReviewers> {
    const [members, assigned, conflicts] = await Promise.all([
      this.directory.partyMembers(party),
      this.assignments.forParty(stored.request.id, party),
      conflictOf ?? this.forRequest(stored),
    ]);
    const assignedEmails = assigned.map((a) => a.email);
    return {
      members,
      assigned: assignedEmails,
      left: reviewersLeft({
        candidates: [...members.map((m) => m.email), ...assignedEmails],
        requesterEmail: stored.request.requesterEmail,
        conflictOf: conflicts,
      }),
    };
  }

  /** Whether an admin assigned this person to review this party of this request. */
  async isAssigned(requestId: string, party: Party, email: string): Promise<boolean> {
    return (await this.assignments.partiesOn(requestId, email)).includes(party);
  }

  /** The parties of this request an admin assigned this person to review. */
  assignedParties(requestId: string, email: string): Promise<Party[]> {
    return this.assignments.partiesOn(requestId, email);
  }
}
