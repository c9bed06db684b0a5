import { isFinal } from './approval-state';
import { isCalendarDate } from './calendar-date';
import type { Person } from './person';
import { DEFAULT_DELEGATION, type DelegationSettings } from './policy/policy-schema';
import { REQUEST_STATUSES, type Party, type RequestStatus } from './vocabulary';

/**
 * The rules of a delegation: an approver's stand-in while away. A delegate is a fellow member (or a
 * lead) of every party the approver delegates, for a period the policy bounds (DOMAIN.md: "a
 * delegate is a fellow member of the party, for a bounded time, on the record").
 */

export interface DelegationProblem {
  field: 'delegateEmail' | 'from' | 'until';
  message: string;
}

/** The delegation bounds of a policy version (older versions say nothing: the defaults apply). */
export function delegationSettingsOf(policy: { delegation?: DelegationSettings }): DelegationSettings {
  return policy.delegation ?? DEFAULT_DELEGATION;
}

/** Calendar days from `from` to `until`, both included (a one-day delegation covers 1). */
export function daysCovered(from: string, until: string): number {
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * What is wrong with a period: `from` today or later, `until` not before `from`, at most `maxDays`
 * days in all. Dates that are not real days are the DTO's to report; this skips them.
 */
export function delegationPeriodProblems(args: {
  from: string;
  until: string;
  today: string;
  maxDays: number;
}): DelegationProblem[] {
  const { from, until, today, maxDays } = args;
  const problems: DelegationProblem[] = [];
  if (isCalendarDate(from) && from < today) {
    problems.push({ field: 'from', message: `from must be today (${today}) or later` });
  }
  if (isCalendarDate(from) && isCalendarDate(until)) {
    if (until < from) problems.push({ field: 'until', message: 'until must not be before from' });
    else if (daysCovered(from, until) > maxDays) {
      problems.push({
        field: 'until',
        message: `a delegation may cover at most ${maxDays} days (policy), from and until included`,
      });
    }
  } else if (isCalendarDate(until) && until < today) {
    problems.push({ field: 'until', message: 'until must not be in the past' });
  }
  return problems;
}

/** The delegator's parties of which the delegate is neither a member nor a lead (all must be empty). */
export function partiesTheDelegateLacks(delegator: Person, delegate: Person): Party[] {
  const theirs = new Set(delegate.parties.map((m) => m.party));
  return delegator.parties.map((m) => m.party).filter((party) => !theirs.has(party));
}

/** When a delegation began to count: the later of its first day (00:00 UTC) and the moment it was set. */
export function delegationWindowStart(delegation: { startsOn: string; setAt: string }): string {
  const firstDay = `${delegation.startsOn}T00:00:00.000Z`;
  return delegation.setAt > firstDay ? delegation.setAt : firstDay;
}

/** Request statuses in which a pending approval is still awaited. */
export const OPEN_REQUEST_STATUSES: RequestStatus[] = REQUEST_STATUSES.filter((s) => !isFinal(s));

/**
 * The read rule for a delegate (who reads nothing else of the party): through a delegation in
 * force today, a request is readable when the delegated party's approval was pending at some
 * moment of the window, which the projection shows as either
 * - still awaited now (`pending` on an open request: today lies inside the window), or
 * - decided at or after the window's start (it was pending until then).
 * A party decided before the window, or whose request closed while still `pending` (withdrawn,
 * expired), is not opened to the delegate. `RequestRepository.list` applies the same rule in SQL.
 */
export function pendingDuringWindow(
  approval: { status: string; decidedAt: string | null },
  requestStatus: string,
  windowStart: string,
): boolean {
  if (approval.status === 'pending') return OPEN_REQUEST_STATUSES.includes(requestStatus as RequestStatus);
  return approval.decidedAt !== null && approval.decidedAt >= windowStart;
}
