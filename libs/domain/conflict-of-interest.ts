import type { Counterparty } from './request';
import type { RequestType } from './vocabulary';

export interface ConflictFacts {
  type: RequestType;
  approverEmail: string;
  /** The requester's manager in the directory. */
  requesterManagerEmail: string | null;
  counterparties: Counterparty[];
  /** For ma_participation: everyone who asked to take part in the same deal. */
  dealParticipants: string[];
}

/**
 * Why an approver may not decide on this request, or null. The party's other members or its
 * leads decide instead.
 */
export function conflictOfInterest(facts: ConflictFacts): string | null {
  const approver = facts.approverEmail.toLowerCase();
  if (facts.type === 'departure_abroad' && facts.requesterManagerEmail?.toLowerCase() === approver) {
    return `${approver} is the requester's manager, who may not decide on their departure`;
  }
  if (facts.type === 'ma_participation' && facts.dealParticipants.some((p) => p.toLowerCase() === approver)) {
    return `${approver} is named on the same deal`;
  }
  const contact = facts.counterparties.find((c) => c.contactEmail?.toLowerCase() === approver);
  if (contact) return `${approver} is the contact of counterparty "${contact.name}"`;
  return null;
}
