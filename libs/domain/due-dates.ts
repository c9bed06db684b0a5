import type { RoutePlan } from './policy/evaluate';

/** When an asked party's approval falls due, from the pinned plan's deadlines. */
export interface DueDates {
  /** When the party was (last) asked; the deadlines count from it. */
  askedAt: string | null;
  /** Its first reminder. */
  reminderDueAt: string | null;
  /** Its escalation to the party's leads. */
  escalationDueAt: string | null;
  /**
   * The first of them: when the approval first falls due (the inbox's "due soonest first" order, stored
   * as `approvals.due_at`). Fixed once asked, so it can be stored and indexed; null without deadlines.
   */
  dueAt: string | null;
}

/**
 * When the party was asked and when its reminder and escalation fall due: the pinned plan's deadlines
 * counted from the asking, as the workflow's timers count them (`workflows/request/watch-deadlines.ts`).
 * The one place these are computed: the inbox shows them, the projection writer stores `dueAt`.
 */
export function dueDates(plan: Pick<RoutePlan, 'stages'> | null, party: string, askedAt: string | null): DueDates {
  const deadlines = plan?.stages?.flatMap((s) => s.parties).find((p) => p.party === party)?.deadlines;
  const after = (ms: number | undefined) =>
    askedAt && typeof ms === 'number' && Number.isFinite(ms) ? new Date(Date.parse(askedAt) + ms).toISOString() : null;
  const reminderDueAt = after(deadlines?.reminderAfterMs);
  const escalationDueAt = after(deadlines?.escalateAfterMs);
  const first = [reminderDueAt, escalationDueAt].filter((d): d is string => d !== null).sort()[0] ?? null;
  return { askedAt, reminderDueAt, escalationDueAt, dueAt: first };
}
