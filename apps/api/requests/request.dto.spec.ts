import { requestBody, daysFromNow } from '../../../tests/support/factories';
import { DomainError } from '../common/domain-error';
import { parseRequestInput } from './request.dto';

function fieldsOf(body: unknown): string[] {
  try {
    parseRequestInput(body);
    return [];
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    expect(error.code).toBe('VALIDATION_FAILED');
    return (error.fields ?? []).map((f) => f.field);
  }
}

describe('parseRequestInput', () => {
  it.each(['conference', 'overseas_assignment', 'ma_participation', 'passport_release', 'departure_abroad'] as const)(
    'should accept a valid %s request',
    (type) => {
      expect(fieldsOf(requestBody(type))).toEqual([]);
    },
  );

  it('should normalise country codes and trim text', () => {
    const input = parseRequestInput(requestBody('conference', { destinationCountry: 'us', purpose: '  Talk  ' }));
    expect(input.destinationCountry).toBe('US');
    expect(input.purpose).toBe('Talk');
  });

  it('should name every bad field at once, nested ones with their path', () => {
    const fields = fieldsOf({
      type: 'conference',
      destinationCountry: 'XX',
      departureDate: '2020-01-01',
      returnDate: '2019-12-31',
      purpose: '',
      counterparties: [{ name: 'Org', country: 'ZZ' }],
      technologyAreas: ['quantum'],
      dataCategories: [],
      details: { eventName: '', presenting: 'yes' },
    });
    expect(fields.sort()).toEqual(
      [
        'counterparties.0.country',
        'dataCategories',
        'departureDate',
        'destinationCountry',
        'details.eventName',
        'details.presenting',
        'purpose',
        'returnDate',
        'technologyAreas',
      ].sort(),
    );
  });

  it('should refuse an unknown type and list the allowed ones', () => {
    expect(fieldsOf(requestBody('conference', { type: 'holiday' }))).toEqual(['type']);
  });

  it('should refuse dates that do not exist or are not ISO', () => {
    expect(fieldsOf(requestBody('conference', { departureDate: '2027-02-30' }))).toContain('departureDate');
    expect(fieldsOf(requestBody('conference', { returnDate: '07/03/2027' }))).toContain('returnDate');
  });

  it('should accept a same-day return and refuse a return before departure', () => {
    expect(fieldsOf(requestBody('conference', { departureDate: daysFromNow(5), returnDate: daysFromNow(5) }))).toEqual(
      [],
    );
    expect(fieldsOf(requestBody('conference', { departureDate: daysFromNow(5), returnDate: daysFromNow(4) }))).toEqual([
      'returnDate',
    ]);
  });

  it('should take a departure abroad without a return date: a permanent move', () => {
    const body = requestBody('departure_abroad');
    delete (body as { returnDate?: string }).returnDate;
    expect(fieldsOf(body)).toEqual([]);
    expect(parseRequestInput(body)).not.toHaveProperty('returnDate');
    expect(fieldsOf({ ...body, returnDate: null })).toEqual([]);
    expect(parseRequestInput({ ...body, returnDate: null })).not.toHaveProperty('returnDate');
  });

  it('should still take a departure abroad with a return date, not before the departure', () => {
    const body = requestBody('departure_abroad', { departureDate: daysFromNow(30), returnDate: daysFromNow(60) });
    expect(parseRequestInput(body).returnDate).toBe(daysFromNow(60));
    expect(fieldsOf({ ...body, returnDate: daysFromNow(29) })).toEqual(['returnDate']);
    expect(fieldsOf({ ...body, returnDate: 'never' })).toEqual(['returnDate']);
  });

  it.each(['conference', 'overseas_assignment', 'ma_participation', 'passport_release'] as const)(
    'should still require the return date of a %s request',
    (type) => {
      const body = requestBody(type);
      delete (body as { returnDate?: string }).returnDate;
      expect(fieldsOf(body)).toEqual(['returnDate']);
      expect(fieldsOf({ ...body, returnDate: null })).toEqual(['returnDate']);
    },
  );

  it('should refuse a last working day after the departure, naming details.lastWorkingDay', () => {
    const late = requestBody('departure_abroad', {
      departureDate: daysFromNow(30),
      details: { newEmployer: 'Lab', lastWorkingDay: daysFromNow(31) },
    });
    delete (late as { returnDate?: string }).returnDate;
    expect(fieldsOf(late)).toEqual(['details.lastWorkingDay']);
    const onTheDay = { ...late, details: { newEmployer: 'Lab', lastWorkingDay: daysFromNow(30) } };
    expect(fieldsOf(onTheDay)).toEqual([]);
  });

  it('should check details against the type', () => {
    expect(
      fieldsOf(requestBody('overseas_assignment', { details: { hostEntity: 'H', role: 'R', months: 0 } })),
    ).toEqual(['details.months']);
    expect(
      fieldsOf(
        requestBody('ma_participation', { details: { dealName: 'D', counterpartyRole: 'buyer', involvement: 'x' } }),
      ),
    ).toEqual(['details.counterpartyRole', 'details.involvement']);
    expect(
      fieldsOf(requestBody('departure_abroad', { details: { newEmployer: 'Lab', lastWorkingDay: 'soon' } })),
    ).toEqual(['details.lastWorkingDay']);
    expect(fieldsOf(requestBody('passport_release', { details: { reason: 'r', travelRequestId: 'abc' } }))).toEqual([
      'details.travelRequestId',
    ]);
    expect(fieldsOf(requestBody('conference', { details: undefined }))).toEqual(['details']);
  });

  it('should refuse unknown fields rather than silently drop them', () => {
    expect(fieldsOf(requestBody('conference', { color: 'blue' }))).toEqual(['color']);
    expect(fieldsOf(requestBody('conference', { details: { eventName: 'E', presenting: true, extra: 1 } }))).toEqual([
      'details.extra',
    ]);
  });

  it('should refuse "none" together with other values and duplicates', () => {
    expect(fieldsOf(requestBody('conference', { dataCategories: ['none', 'source_code'] }))).toEqual([
      'dataCategories',
    ]);
    expect(fieldsOf(requestBody('conference', { technologyAreas: ['eda', 'eda'] }))).toEqual(['technologyAreas']);
  });

  it('should enforce lengths', () => {
    expect(fieldsOf(requestBody('conference', { purpose: 'x'.repeat(2001) }))).toEqual(['purpose']);
    expect(
      fieldsOf(
        requestBody('conference', { counterparties: Array.from({ length: 21 }, () => ({ name: 'O', country: 'US' })) }),
      ),
    ).toEqual(['counterparties']);
  });

  it('should refuse a body that is not an object', () => {
    expect(fieldsOf([])).toEqual(['body']);
    expect(fieldsOf('text')).toEqual(['body']);
  });
});
