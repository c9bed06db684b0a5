import type { Party, Role, Tier } from './vocabulary';

export interface PartyMembership {
  party: Party;
  lead: boolean;
}

/** A person of the directory as the rest of the system sees them. */
export interface Person {
  email: string;
  name: string;
  tier: Tier | null;
  roles: Role[];
  managerEmail: string | null;
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
  }>;
}

export function isMemberOf(person: Person, party: Party): boolean {
  return person.parties.some((m) => m.party === party);
}
