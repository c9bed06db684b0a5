import { InitialSchema1763800000000 } from './1763800000000-initial-schema';

/** Every migration in order; the data source runs them on start. */
export const MIGRATIONS = [InitialSchema1763800000000];
