import { CancellationScope, isCancellation } from '@temporalio/workflow';

/**
 * Starts background work (timers, reminders) in its own scope and returns the scope, so the main
 * line can cancel it once the work no longer matters. Being cancelled is how such work ends; any
 * other failure fails the workflow task, as an unawaited failure should.
 */
export function runCancellable(work: () => Promise<unknown>): CancellationScope {
  const scope = new CancellationScope();
  void scope.run(work).catch((error: unknown) => {
    if (!isCancellation(error)) throw error;
  });
  return scope;
}
