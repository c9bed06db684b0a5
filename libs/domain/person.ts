import type { Party, Role, Tier } from './vocabulary';

export interface PartyMembership {
  party: Party;
  lead: boolean;
}

/** Flags a person may carry besides their tier (DOMAIN.md, Personnel tiers). */
export interface PersonFlags {
  /** Handles classified material; a confidentiality period may run past their last day. */
  classifiedAccess: boolean;
  /** ISO date `YYYY-MM-DD` the confidentiality period ends, or null. */
  confidentialityPeriodEnds: string | null;
}

/** A person of the directory as the rest of the system sees them. */
export interface Person {
  email: string;
  name: string;
  tier: Tier | null;
  roles: Role[];
  managerEmail: string | null;
  flags: PersonFlags;
  parties: PartyMembership[];
}

export interface DirectorySeed {
  people: Array<{
    email: string;
    name: string;
    tier?: Tier | null;
    roles: Role[];
    managerEmail?: string | null;
    parties?: PartyMembership[];
    classifiedAccess?: boolean;
    confidentialityPeriodEnds?: string | null;
  }>;
}

export function isMemberOf(person: Person, party: Party): boolean {
  return person.parties.some((m) => m.party === party);
}
