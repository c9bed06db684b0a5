import { dueDates } from './due-dates';

const HOUR = 3_600_000;
const plan = (reminderAfterMs: number, escalateAfterMs: number) => ({
  stages: [
    {
      index: 0,
      parties: [
        {
          party: 'hr' as const,
          reasons: [],
          quorum: 1,
          deadlines: { reminderAfterMs, reminderEveryMs: HOUR, escalateAfterMs, expireAfterMs: 100 * HOUR },
        },
      ],
    },
  ],
});

describe('dueDates', () => {
  it('should count the reminder and the escalation from the asking, and be due at the first of them', () => {
    const due = dueDates(plan(24 * HOUR, 72 * HOUR), 'hr', '2026-11-26T10:00:00.000Z');
    expect(due).toEqual({
      askedAt: '2026-11-26T10:00:00.000Z',
      reminderDueAt: '2026-11-27T10:00:00.000Z',
      escalationDueAt: '2026-11-29T10:00:00.000Z',
      dueAt: '2026-11-27T10:00:00.000Z',
    });
    // a policy that escalates before it reminds is due at its escalation
    expect(dueDates(plan(5 * HOUR, 2 * HOUR), 'hr', '2026-11-26T10:00:00.000Z').dueAt).toBe('2026-11-26T12:00:00.000Z');
  });

  it('should know no due date before the asking or for a party the plan does not hold', () => {
    expect(dueDates(plan(HOUR, 2 * HOUR), 'hr', null).dueAt).toBeNull();
    expect(dueDates(plan(HOUR, 2 * HOUR), 'legal', '2026-11-26T10:00:00.000Z')).toMatchObject({
      reminderDueAt: null,
      escalationDueAt: null,
      dueAt: null,
    });
    expect(dueDates({ stages: [] }, 'hr', '2026-11-26T10:00:00.000Z').dueAt).toBeNull();
    expect(dueDates(null, 'hr', '2026-11-26T10:00:00.000Z').dueAt).toBeNull();
  });
});
