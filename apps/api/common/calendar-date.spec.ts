import { collectErrors } from './validate-body';
import { IsCalendarDate } from './calendar-date';

class Plain {
  @IsCalendarDate()
  day!: string;
}

class Explained {
  @IsCalendarDate({ explainUnreal: true })
  day!: string;
}

const messages = (cls: new () => object, day: unknown) => collectErrors(cls, { day }).fields.flatMap((f) => f.messages);

describe('IsCalendarDate', () => {
  it('should accept a real day', () => {
    expect(messages(Plain, '2028-02-29')).toEqual([]);
    expect(messages(Explained, '2028-02-29')).toEqual([]);
  });

  it('should name the form for anything not written YYYY-MM-DD', () => {
    for (const day of ['2027-3-1', 20270301, undefined]) {
      expect(messages(Explained, day)).toEqual(['day must be a date in the form YYYY-MM-DD']);
    }
  });

  it('should say a well-formed day that does not exist is not real only when asked to', () => {
    expect(messages(Plain, '2027-02-30')).toEqual(['day must be a date in the form YYYY-MM-DD']);
    expect(messages(Explained, '2027-02-30')).toEqual(['day is not a real date']);
  });
});
