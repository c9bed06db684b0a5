import { condition, patched } from '@temporalio/workflow';
import { expireAuthorization, nextExpiry, outstanding, watchesExpiry } from '@libs/domain/authorizations';
import { afterApprovalOf } from '@libs/domain/obligations';
import { durationMs } from '@libs/domain/policy/policy-schema';
import { activities } from '../activity-proxies';
import { runCancellable } from '../cancellable';
import { chase } from '../chase';
import { msUntil } from '../clock';
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

/**
 * Since `authorization-expiry`: once a grant is recorded whose validity ends before the day it is
 * needed through, a durable timer runs to the end of that validity (started by the first such grant,
 * ./messages.ts; it lives as long as the run). A grant recorded again in the meantime (renewed,
 * shortened) moves the timer; when it fires, the authorization is `expired` (expireAuthorization):
 * the requester is emailed, a waiting request keeps waiting, an approved one gets an overdue
 * obligation to renew it, chased like the others.
 */
export function startExpiryWatch(run: RequestRun): void {
  if (run.watchingExpiry) return;
  const next = nextExpiry(run.current());
  if (!next || !patched('authorization-expiry')) return;
  run.watchingExpiry = true;
  runCancellable(() => watchExpiries(run));
}

async function watchExpiries(run: RequestRun): Promise<void> {
  const rules = afterApprovalOf(run.input.policy);
  for (;;) {
    const next = nextExpiry(run.current());
    if (!next) {
      await condition(() => nextExpiry(run.current()) !== null);
      continue;
    }
    const moved = () => nextExpiry(run.current())?.key !== next.key;
    if (await condition(moved, Math.max(msUntil(next.at), 1))) continue;
    if (!watchesExpiry(run.current())) {
      // Settled (rejected, withdrawn, closed): nothing is recorded on its authorizations any more.
      await condition(moved);
      continue;
    }
    const obligation = `authorization-${next.kind}`;
    const hadObligation = run.current().obligations.some((o) => o.kind === obligation);
    await run.commit(expireAuthorization(run.current(), next.kind, next.at), {
      expiry: { kind: next.kind, at: next.at },
    });
    const expired = run.current().authorizations!.find((a) => a.kind === next.kind)!;
    const notice = {
      requestId: run.requestId,
      obligation,
      label: expired.label,
      dueAt: next.at,
      summary: run.summary,
      authorization: { kind: expired.kind, authority: expired.authority },
    };
    await notifyObligation({ ...notice, kind: 'expired', sequence: 1 });
    // A new renewal obligation of an approved request is chased like any overdue one (the expiry
    // email was its first notice); a departure-holding authorization's is chased from departure on.
    const renewal = run.current().obligations.find((o) => o.kind === obligation);
    if (renewal && !hadObligation) {
      const isDone = () => run.current().obligations.find((o) => o.kind === obligation)?.status === 'fulfilled';
      runCancellable(() =>
        chase({
          isDone,
          remind: (sequence) =>
            sequence === 1
              ? Promise.resolve()
              : notifyObligation({ ...notice, label: renewal.label, kind: 'reminder', sequence }),
          escalate: () => notifyObligation({ ...notice, label: renewal.label, kind: 'escalation', sequence: 1 }),
          everyMs: durationMs(rules.reminderEvery),
          escalateAfterMs: durationMs(rules.escalateAfter),
        }),
      );
    }
  }
}
