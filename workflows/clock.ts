/**
 * Workflow time. Inside a workflow the Temporal SDK makes `Date.now()` deterministic (it is the
 * time of the current workflow task, recorded in the history), so timers to absolute instants
 * are safe here and only here.
 */
export function workflowNow(): number {
  // eslint-disable-next-line no-restricted-properties
  return Date.now();
}

/** Milliseconds from now until an ISO instant (negative when it has passed). */
export function msUntil(instant: string): number {
  return Date.parse(instant) - workflowNow();
}
