import type { Person } from '@libs/domain/person';
import type { Party, Role, Tier } from '@libs/domain/vocabulary';

/** A person as the directory routes answer them. */
export interface PersonView {
  email: string;
  name: string;
  tier: Tier | null;
  roles: Role[];
  managerEmail: string | null;
  flags: { classifiedAccess: boolean; confidentialityPeriodEnds: string | null };
  parties: Array<{ party: Party; lead: boolean }>;
}

export function toPersonView(person: Person): PersonView {
  return {
    email: person.email,
    name: person.name,
    tier: person.tier,
    roles: [...person.roles],
    managerEmail: person.managerEmail,
    flags: {
      classifiedAccess: person.flags.classifiedAccess,
      confidentialityPeriodEnds: person.flags.confidentialityPeriodEnds,
    },
    parties: person.parties.map((m) => ({ party: m.party, lead: m.lead })),
  };
}
