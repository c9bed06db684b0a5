import { durationInWords } from './durations';

describe('durationInWords', () => {
  it('should give minutes under two hours, hours up to 48, days beyond', () => {
    expect(durationInWords(0)).toBe('under a minute');
    expect(durationInWords(0.004)).toBe('under a minute');
    expect(durationInWords(1 / 60)).toBe('1 minute');
    expect(durationInWords(0.75)).toBe('45 minutes');
    expect(durationInWords(1.99)).toBe('119 minutes');
    expect(durationInWords(2)).toBe('2 hours');
    expect(durationInWords(36.25)).toBe('36.3 hours');
    expect(durationInWords(48)).toBe('48 hours');
    expect(durationInWords(49)).toBe('2 days');
    expect(durationInWords(24 * 3.24)).toBe('3.2 days');
  });
});
