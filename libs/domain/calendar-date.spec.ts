import { isCalendarDate } from './calendar-date';

describe('isCalendarDate', () => {
  it('should accept days that exist', () => {
    for (const day of ['2027-03-01', '2028-02-29', '2027-12-31', '0001-01-01']) expect(isCalendarDate(day)).toBe(true);
  });

  it('should refuse well-formed days that do not exist', () => {
    for (const day of ['2027-02-29', '2027-02-30', '2027-04-31', '2027-13-01', '2027-00-10', '2027-01-00']) {
      expect(isCalendarDate(day)).toBe(false);
    }
  });

  it('should refuse anything not written YYYY-MM-DD', () => {
    for (const value of [
      '2027-3-1',
      '2027-03-01T00:00:00Z',
      ' 2027-03-01',
      '27-03-01',
      '',
      20270301,
      null,
      undefined,
    ]) {
      expect(isCalendarDate(value)).toBe(false);
    }
  });
});
