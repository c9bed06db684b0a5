import { testDatabases } from '../support/databases';
import { daysFromNow, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/** Every date the API reads goes through one calendar-date check; each form keeps its own words. */
describe.each(testDatabases())('calendar dates on $name', (database) => {
  const { http } = useSystem(database);

  const refused = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await http.as(who, method, path, body);
    expect(res.status).toBe(400);
    return Object.fromEntries(res.body.errors.map((e: any) => [e.field, e.messages]));
  };

  it('should tell a delegation period that is not written YYYY-MM-DD from one with a day that does not exist', async () => {
    expect(
      await refused('security@example.com', 'PUT', '/api/me/delegation', {
        delegateEmail: 'security-lead@example.com',
        from: '2031-02-30',
        until: '31-03-01',
      }),
    ).toEqual({
      from: ['from is not a real date'],
      until: ['until must be a date in the form YYYY-MM-DD'],
    });
    expect(
      await refused('security@example.com', 'PUT', '/api/me/delegation', {
        delegateEmail: 'security-lead@example.com',
        from: daysFromNow(5),
        until: daysFromNow(2),
      }),
    ).toEqual({ until: ['until must not be before from'] });
  });

  it('should refuse a passport expiry that does not exist or has passed', async () => {
    const deposit = (expiryDate: string) =>
      refused('custodian@example.com', 'POST', '/api/passports', {
        employeeEmail: 'alice@example.com',
        passportNumber: 'M70312987',
        issuingCountry: 'KR',
        expiryDate,
      });
    expect(await deposit('2031-04-31')).toEqual({ expiryDate: ['expiryDate is not a real date'] });
    expect(await deposit('2031/04/30')).toEqual({ expiryDate: ['expiryDate must be a date in the form YYYY-MM-DD'] });
    expect(await deposit('2020-01-01')).toEqual({
      expiryDate: ['expiryDate is in the past: an expired passport cannot be held for travel'],
    });
  });

  it('should refuse request dates and search days that do not exist', async () => {
    expect(
      await refused(
        'alice@example.com',
        'POST',
        '/api/requests',
        requestBody('conference', { returnDate: '2031-02-29' }),
      ),
    ).toMatchObject({ returnDate: ['returnDate must be a date in the form YYYY-MM-DD'] });
    expect(await refused('auditor@example.com', 'GET', '/api/requests?from=2031-02-29')).toEqual({
      from: ['from must be a date YYYY-MM-DD'],
    });
  });
});
