import { condition, patched } from '@temporalio/workflow';
import { outstanding } from '@libs/domain/authorizations';
import { afterApprovalOf } from '@libs/domain/obligations';
import { durationMs } from '@libs/domain/policy/policy-schema';
import { activities } from '../activity-proxies';
import { MAX_REMINDERS } from '../reminders';
import type { RequestRun } from './run';

const { notifyObligation } = activities;

/**
 * Every party approved, but a blocking external authorization is not granted yet: tell the requester
 * what is outstanding, then wait, durably, until the requester or an admin records the authority's
 * decision (`recordAuthorization` Updates, ./messages.ts): the last grant approves the request, a
 * refusal rejects it. Meanwhile the requester is reminded every `afterApproval.reminderEvery` of what
 * is still outstanding (since `authorization-reminders`; the first requests that waited were not).
 */
export async function awaitAuthorities(run: RequestRun): Promise<void> {
  await run.tellRequester(run.current());
  const decided = () => run.current().status !== 'awaiting_authorization';
  if (patched('authorization-reminders')) {
    const everyMs = durationMs(afterApprovalOf(run.input.policy).reminderEvery);
    for (let sequence = 1; sequence <= MAX_REMINDERS.perOverdueItem; sequence += 1) {
      if (await condition(decided, everyMs)) return;
      for (const a of outstanding(run.current(), 'approval')) {
        await notifyObligation({
          kind: 'reminder',
          requestId: run.requestId,
          obligation: `authorization-${a.kind}`,
          label: a.label,
          dueAt: null,
          summary: run.summary,
          sequence,
          authorization: { kind: a.kind, authority: a.authority },
        });
      }
    }
  }
  await condition(decided);
}
