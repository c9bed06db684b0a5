import { condition } from '@temporalio/workflow';

/** However short the interval, at most this many reminders for one overdue item. */
const MAX_REMINDERS = 200;

/**
 * Chases an overdue item on durable timers until `isDone()`: a reminder at once and then one per
 * `everyMs` (never more often), and a single escalation once `escalateAfterMs` have passed.
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
    if (elapsed >= nextReminder && reminders < MAX_REMINDERS) {
      reminders += 1;
      await args.remind(reminders);
      nextReminder = elapsed + args.everyMs;
    }
    if (!escalated && elapsed >= args.escalateAfterMs) {
      escalated = true;
      await args.escalate();
    }
    if (reminders >= MAX_REMINDERS && escalated) break;
    const next = escalated ? nextReminder : Math.min(nextReminder, args.escalateAfterMs);
    if (await condition(args.isDone, Math.max(next - elapsed, 1))) return;
    elapsed = Math.max(next, elapsed + 1);
  }
  await condition(args.isDone);
}
