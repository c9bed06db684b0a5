import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

/**
 * How the workflows call their activities, defined in one place. The options are part of what a
 * workflow schedules, so changing them changes new histories: give a new option set its own name.
 */

/** Request and custody steps: short writes and emails, retried with backoff up to a minute apart. */
const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Archiving fetches and stores a whole history: a longer attempt, retried up to 30 seconds apart. */
const ARCHIVE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** The activities of the request and custody workflows. */
export const activities = proxyActivities<Activities>(STEP_OPTIONS);

/** The activities of the archive workflow. */
export const archiveActivities = proxyActivities<Activities>(ARCHIVE_OPTIONS);
