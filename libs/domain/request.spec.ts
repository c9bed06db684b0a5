import { minimalRequest } from '../../tests/support/domain-factories';
import { isPermanentMove, returnDateRequired, tripEnd } from './request';
import { REQUEST_TYPES } from './vocabulary';

describe('tripEnd', () => {
  it.each(REQUEST_TYPES)('should be the return date of a %s request that gives one', (type) => {
    expect(tripEnd(minimalRequest(type, { departureDate: '2027-03-01', returnDate: '2027-03-09' }))).toBe('2027-03-09');
  });

  it('should be the departure date of a departure abroad without a return (a permanent move)', () => {
    const move = minimalRequest('departure_abroad', {
      departureDate: '2027-04-01',
      returnDate: undefined,
      details: { newEmployer: 'Lab', lastWorkingDay: '2027-03-31' },
    });
    expect(tripEnd(move)).toBe('2027-04-01');
    // not the last working day: the person crosses the border on the departure date
    expect(tripEnd(move)).not.toBe('2027-03-31');
  });

  it('should read a null return date (a stored permanent move) as none', () => {
    expect(tripEnd({ type: 'departure_abroad', departureDate: '2027-04-01', returnDate: null })).toBe('2027-04-01');
  });
});

describe('isPermanentMove', () => {
  it('should hold only for a departure abroad that names no return', () => {
    expect(isPermanentMove(minimalRequest('departure_abroad', { returnDate: undefined }))).toBe(true);
    expect(isPermanentMove(minimalRequest('departure_abroad'))).toBe(false);
    expect(isPermanentMove(minimalRequest('conference'))).toBe(false);
  });
});

describe('returnDateRequired', () => {
  it.each(REQUEST_TYPES)('should say whether a %s request must give a return date', (type) => {
    expect(returnDateRequired(type)).toBe(type !== 'departure_abroad');
  });
});
