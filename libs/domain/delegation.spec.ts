import {
  daysCovered,
  delegationPeriodProblems,
  delegationWindowStart,
  partiesTheDelegateLacks,
  pendingDuringWindow,
} from './delegation';
import type { Person } from './person';

const person = (email: string, parties: Person['parties']): Person => ({
  email,
  name: email,
  tier: null,
  roles: ['approver'],
  managerEmail: null,
  flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
  parties,
});

describe('daysCovered', () => {
  it('should count both ends, across months and leap days', () => {
    expect(daysCovered('2028-02-28', '2028-02-28')).toBe(1);
    expect(daysCovered('2028-02-28', '2028-03-01')).toBe(3);
    expect(daysCovered('2027-03-01', '2027-03-30')).toBe(30);
  });
});

describe('delegationPeriodProblems', () => {
  const today = '2027-03-10';
  const check = (from: string, until: string, maxDays = 30) =>
    delegationPeriodProblems({ from, until, today, maxDays }).map((p) => p.field);

  it('should accept a period from today of at most the cap, both ends included', () => {
    expect(check('2027-03-10', '2027-03-10')).toEqual([]);
    expect(check('2027-03-10', '2027-04-08')).toEqual([]);
    expect(check('2027-03-12', '2027-03-16', 5)).toEqual([]);
  });

  it('should refuse a period that starts in the past', () => {
    expect(check('2027-03-09', '2027-03-12')).toEqual(['from']);
  });

  it('should refuse an until before from, and a period longer than the cap', () => {
    expect(check('2027-03-12', '2027-03-11')).toEqual(['until']);
    expect(check('2027-03-10', '2027-04-09')).toEqual(['until']);
    expect(check('2027-03-12', '2027-03-17', 5)).toEqual(['until']);
    expect(delegationPeriodProblems({ from: today, until: '2099-12-31', today, maxDays: 30 })[0].message).toContain(
      'at most 30 days',
    );
  });

  it('should leave days that are not real to the body check, but still refuse an until in the past', () => {
    expect(check('soon', '2027-03-20')).toEqual([]);
    expect(check('soon', '2027-03-01')).toEqual(['until']);
    expect(check('2027-03-12', '2027-02-30')).toEqual([]);
  });
});

describe('partiesTheDelegateLacks', () => {
  const hr = person('hr@example.com', [{ party: 'hr', lead: false }]);
  const both = person('both@example.com', [
    { party: 'hr', lead: false },
    { party: 'legal', lead: false },
  ]);

  it('should accept a fellow member or a lead of every delegated party', () => {
    expect(partiesTheDelegateLacks(hr, person('hr-lead@example.com', [{ party: 'hr', lead: true }]))).toEqual([]);
    expect(partiesTheDelegateLacks(hr, both)).toEqual([]);
  });

  it('should name each party the delegate is no member of', () => {
    expect(partiesTheDelegateLacks(hr, person('carol@example.com', []))).toEqual(['hr']);
    expect(partiesTheDelegateLacks(both, hr)).toEqual(['legal']);
  });
});

describe('delegationWindowStart', () => {
  it('should start at the first day, or later when the delegation was set during that day or after', () => {
    expect(delegationWindowStart({ startsOn: '2027-03-12', setAt: '2027-03-10T09:00:00.000Z' })).toBe(
      '2027-03-12T00:00:00.000Z',
    );
    expect(delegationWindowStart({ startsOn: '2027-03-10', setAt: '2027-03-10T09:00:00.000Z' })).toBe(
      '2027-03-10T09:00:00.000Z',
    );
  });
});

describe('pendingDuringWindow', () => {
  const start = '2027-03-10T09:00:00.000Z';

  it('should open an approval still awaited on an open request', () => {
    expect(pendingDuringWindow({ status: 'pending', decidedAt: null }, 'pending', start)).toBe(true);
    expect(pendingDuringWindow({ status: 'pending', decidedAt: null }, 'changes_requested', start)).toBe(true);
  });

  it('should open an approval decided inside the window', () => {
    expect(pendingDuringWindow({ status: 'approved', decidedAt: '2027-03-10T09:00:00.000Z' }, 'approved', start)).toBe(
      true,
    );
    expect(pendingDuringWindow({ status: 'rejected', decidedAt: '2027-03-11T10:00:00.000Z' }, 'rejected', start)).toBe(
      true,
    );
  });

  it('should keep closed what was decided before the window, never opened, or closed while pending', () => {
    expect(pendingDuringWindow({ status: 'approved', decidedAt: '2027-03-10T08:59:59.999Z' }, 'pending', start)).toBe(
      false,
    );
    expect(pendingDuringWindow({ status: 'waiting', decidedAt: null }, 'pending', start)).toBe(false);
    expect(pendingDuringWindow({ status: 'pending', decidedAt: null }, 'withdrawn', start)).toBe(false);
  });
});
