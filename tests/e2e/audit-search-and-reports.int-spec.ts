import { testDatabases } from '../support/databases';
import { daysFromNow, requestBody } from '../support/factories';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';

/** The auditors' search filters of GET /api/requests and GET /api/reports/dashboard, on every database. */
describe.each(testDatabases())('audit search and dashboard report on $name', (database) => {
  let system: TestSystem;
  let http: Http;
  const ids: Record<string, string> = {};
  const plain = { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } };

  const submit = async (email: string, overrides: Record<string, unknown>) => {
    const res = await http.as(email, 'POST', '/api/requests', requestBody('conference', { ...plain, ...overrides }));
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string };
  };
  const found = async (who: string, search: string): Promise<string[]> => {
    const res = await http.as(who, 'GET', `/api/requests?limit=100&${search}`);
    expect(res.status).toBe(200);
    return (res.body.items as { id: string }[]).map((r) => r.id).sort();
  };
  const only = (...names: string[]) => names.map((n) => ids[n]).sort();

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    ids.percent = (
      await submit('carol@example.com', { purpose: 'Talk on 50% off models', destinationCountry: 'JP' })
    ).id;
    ids.underscore = (await submit('alice@example.com', { purpose: 'Workshop on snake_case APIs' })).id;
    ids.carol = (
      await submit('carol@example.com', {
        purpose: 'Poster session',
        destinationCountry: 'DE',
        counterparties: [{ name: 'Zeta Research Collective', country: 'DE' }],
      })
    ).id;
    const approved = await http.as('hr@example.com', 'POST', `/api/requests/${ids.percent}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(approved.body.status).toBe('approved');
    const rejected = await http.as('hr@example.com', 'POST', `/api/requests/${ids.carol}/decisions`, {
      party: 'hr',
      decision: 'reject',
      comment: 'not this year',
    });
    expect(rejected.body.status).toBe('rejected');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('should find requests by any field, case-insensitively, taking % and _ literally', async () => {
    const auditor = 'auditor@example.com';
    expect(await found(auditor, 'q=50%25')).toEqual(only('percent'));
    expect(await found(auditor, 'q=%25')).toEqual(only('percent'));
    expect(await found(auditor, 'q=_')).toEqual(only('underscore'));
    expect(await found(auditor, 'q=SNAKE_CASE')).toEqual(only('underscore'));
    expect(await found(auditor, 'q=zeta%20research')).toEqual(only('carol'));
    expect(await found(auditor, `q=${ids.carol.slice(0, 13)}`)).toEqual(only('carol'));
    expect(await found(auditor, "q=x'%20OR%201=1--")).toEqual([]);
    expect(await found(auditor, 'q=rejected')).toEqual(only('carol'));
    expect(await found(auditor, 'requester=CAROL@')).toEqual(only('percent', 'carol'));
    expect(await found(auditor, 'destination=jp')).toEqual(only('percent'));
    expect(await found(auditor, 'requester=alice&q=workshop')).toEqual(only('underscore'));
    const today = daysFromNow(0);
    expect(await found(auditor, `from=${today}&to=${today}`)).toEqual(only('percent', 'underscore', 'carol'));
    expect(await found(auditor, `to=${daysFromNow(-1)}`)).toEqual([]);
    expect(await found(auditor, `from=${daysFromNow(1)}`)).toEqual([]);
  });

  it('should keep the search within what the caller may read and refuse malformed filters', async () => {
    // carol is in no party: she finds only her own requests
    expect(await found('carol@example.com', 'q=workshop')).toEqual([]);
    expect(await found('carol@example.com', 'q=poster')).toEqual(only('carol'));
    expect(await found('alice@example.com', 'q=workshop')).toEqual(only('underscore'));
    for (const bad of ['destination=JPN', 'from=2026-13-01', 'to=yesterday', 'q=a&q=b', `q=${'x'.repeat(201)}`]) {
      const res = await http.as('auditor@example.com', 'GET', `/api/requests?${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });

  it('should report requests per day, decision times, overdue work and screening hits', async () => {
    const res = await http.as('auditor@example.com', 'GET', '/api/reports/dashboard');
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report.days).toHaveLength(30);
    expect(report.days[29]).toBe(daysFromNow(0));
    expect(report.requests.total).toBe(3);
    const sum = (series: { key: string; counts: number[] }[]) =>
      Object.fromEntries(series.map((s) => [s.key, s.counts.reduce((a, b) => a + b, 0)]));
    expect(sum(report.requests.byStatus)).toEqual({ approved: 1, pending: 1, rejected: 1 });
    expect(sum(report.requests.byType)).toEqual({ conference: 3 });
    expect(report.requests.byType[0].counts[29]).toBe(3);
    expect(report.decisionTimes).toEqual([
      { party: 'hr', decided: 2, medianHours: expect.any(Number), p90Hours: expect.any(Number) },
    ]);
    expect(report.decisionTimes[0].p90Hours).toBeGreaterThanOrEqual(report.decisionTimes[0].medianHours);
    expect(report.overdueApprovals).toEqual({ count: 0, items: [] });
    expect(report.overdueObligations).toEqual({ count: 0, items: [] });
    expect(report.screeningHits).toMatchObject({ requests: 0, hits: 0, items: [] });

    const week = await http.as('admin@example.com', 'GET', '/api/reports/dashboard?days=7');
    expect(week.body.days).toHaveLength(7);
    for (const bad of ['0', '367', 'x', '1.5']) {
      expect((await http.as('admin@example.com', 'GET', `/api/reports/dashboard?days=${bad}`)).status).toBe(400);
    }
    expect((await http.as('alice@example.com', 'GET', '/api/reports/dashboard')).status).toBe(403);
  });
});
