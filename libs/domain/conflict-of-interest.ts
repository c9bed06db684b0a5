import type { RequestType } from './vocabulary';

/**
 * The facts that may exclude an approver. Only facts the requester does not control: the
 * directory's manager line and the deal team. What a requester writes in a request (a
 * counterparty's contact, say) never removes a reviewer.
 */
export interface ConflictFacts {
  type: RequestType;
  approverEmail: string;
  /** The requester's manager in the directory. */
  requesterManagerEmail: string | null;
  /** For ma_participation: everyone who asked to take part in the same deal. */
  dealParticipants: string[];
}

/**
 * Why an approver may not decide on this request, or null. The party's other members or its
 * leads decide instead; when none is left, a compliance admin assigns a reviewer.
 */
export function conflictOfInterest(facts: ConflictFacts): string | null {
  const approver = facts.approverEmail.toLowerCase();
  if (facts.type === 'departure_abroad' && facts.requesterManagerEmail?.toLowerCase() === approver) {
    return `${approver} is the requester's manager, who may not decide on their departure`;
  }
  if (facts.type === 'ma_participation' && facts.dealParticipants.some((p) => p.toLowerCase() === approver)) {
    return `${approver} is named on the same deal`;
  }
  return null;
}

/**
 * Who of a party may still review a request: its members (and reviewers an admin assigned) who are
 * neither the requester nor conflicted. Empty means the party cannot decide without an admin.
 */
export function reviewersLeft(args: {
  candidates: string[];
  requesterEmail: string;
  conflictOf: (email: string) => string | null;
}): string[] {
  const requester = args.requesterEmail.toLowerCase();
  const left = args.candidates
    .map((email) => email.toLowerCase())
    .filter((email) => email !== requester && args.conflictOf(email) === null);
  return [...new Set(left)];
}
