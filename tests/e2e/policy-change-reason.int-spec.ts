import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Issue 13 (admin and audit): a policy version keeps the reason it was published for. The body of
 * `PUT /api/policy` stays the policy document; the reason travels in the `X-Change-Reason` header.
 */
describe.each(testDatabases())('the reason of a policy change on $name', (database) => {
  let system: TestSystem;
  let http: Http;
  const ADMIN = 'admin@example.com';

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('should keep the reason with the version, in the version list and on the audit chain', async () => {
    const current = (await http.as(ADMIN, 'GET', '/api/policy')).body;
    const reason = 'Board decision 2026-11: shorter HR deadline';
    const published = await http.as(
      ADMIN,
      'PUT',
      '/api/policy',
      { ...current, description: 'with a reason' },
      { 'x-change-reason': reason },
    );
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: current.version + 1, changeReason: reason });

    const versions = (await http.as('auditor@example.com', 'GET', '/api/policy/versions')).body as any[];
    expect(versions[0]).toMatchObject({ version: current.version + 1, changeReason: reason });
    expect(versions.at(-1)).toMatchObject({ version: 1, changeReason: null });
    const one = (await http.as('auditor@example.com', 'GET', `/api/policy/versions/${current.version + 1}`)).body;
    expect(one.changeReason).toBe(reason);

    // The stored version can be published again as it is: its bookkeeping (reason included) is not policy.
    const again = await http.as(ADMIN, 'PUT', '/api/policy', one);
    expect(again.status).toBe(200);
    expect(again.body.changeReason).toBeNull();

    const rows = await system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { event: 'policy.published' }, order: { seq: 'ASC' } });
    const payloads = rows.map((r) => JSON.parse(r.payload));
    expect(payloads.at(-2)).toMatchObject({ version: current.version + 1, reason });
    expect(payloads.at(-1)).toMatchObject({ version: current.version + 2, reason: null });
    expect((await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify')).body.ok).toBe(true);
  });

  it('should answer 400 naming the reason when it is too long', async () => {
    const current = (await http.as(ADMIN, 'GET', '/api/policy')).body;
    const res = await http.as(ADMIN, 'PUT', '/api/policy', current, { 'x-change-reason': 'x'.repeat(2001) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('X-Change-Reason');
  });
});
