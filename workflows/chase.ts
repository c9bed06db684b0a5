import { condition } from '@temporalio/workflow';
import { MAX_REMINDERS } from './reminders';

/**
 * Chases an overdue item on durable timers until `isDone()`: a reminder at once and then one per
 * `everyMs` (never more often, and at most `MAX_REMINDERS.perOverdueItem`), and a single escalation
 * once `escalateAfterMs` have passed.
 */
export async function chase(args: {
  isDone: () => boolean;
  remind: (sequence: number) => Promise<unknown>;
  escalate: () => Promise<unknown>;
  everyMs: number;
  escalateAfterMs: number;
}): Promise<void> {
  let elapsed = 0;
  let nextReminder = 0;
  let reminders = 0;
  let escalated = false;
  while (!args.isDone()) {
    if (elapsed >= nextReminder && reminders < MAX_REMINDERS.perOverdueItem) {
      reminders += 1;
      await args.remind(reminders);
      nextReminder = elapsed + args.everyMs;
    }
    if (!escalated && elapsed >= args.escalateAfterMs) {
      escalated = true;
      await args.escalate();
    }
    if (reminders >= MAX_REMINDERS.perOverdueItem && escalated) break;
    const next = escalated ? nextReminder : Math.min(nextReminder, args.escalateAfterMs);
    if (await condition(args.isDone, Math.max(next - elapsed, 1))) return;
    elapsed = Math.max(next, elapsed + 1);
  }
  await condition(args.isDone);
}
