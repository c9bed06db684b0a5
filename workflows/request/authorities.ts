import { condition } from '@temporalio/workflow';
import type { RequestRun } from './run';

/**
 * Every party approved, but a blocking external authorization is not granted yet: tell the requester
 * what is outstanding, then wait (durably, without a deadline) until the requester or an admin records
 * the authority's decision: the last grant approves the request, a refusal rejects it
 * (`recordAuthorization` Updates, ./messages.ts).
 */
export async function awaitAuthorities(run: RequestRun): Promise<void> {
  await run.tellRequester(run.current());
  await condition(() => run.current().status !== 'awaiting_authorization');
}
