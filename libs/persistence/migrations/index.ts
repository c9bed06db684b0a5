import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { PeopleFlags1763900001000 } from './1763900001000-people-flags';
import { PolicyQuorumDelegation1763900002000 } from './1763900002000-policy-quorum-delegation';
import { ScreeningEntries1763900000000 } from './1763900000000-screening-entries';

/** Every migration in order; the data source runs them on start. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  PeopleFlags1763900001000,
  PolicyQuorumDelegation1763900002000,
  ScreeningEntries1763900000000,
];
