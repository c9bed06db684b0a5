import { requestBody } from '../support/factories';
import { testDatabases } from '../support/databases';
import type { HttpResult } from '../support/http';
import { useSystem } from '../support/system';

/**
 * Issue 12, rate limits: the routes anyone can call without signing in (approval links, dev-login,
 * the sign-in callbacks) and the policy's "what would it take" oracle answer 429 with Retry-After
 * once a caller goes past the configured limit; the rest of the API is not limited.
 */
describe('rate limits', () => {
  const [database] = testDatabases();
  const { http: api } = useSystem(database, {
    RATE_LIMIT_PUBLIC: '3',
    RATE_LIMIT_EVALUATE: '2',
    RATE_LIMIT_WINDOW: '60',
  });

  beforeAll(async () => {
    // two of this address's three dev-logins a minute
    await api.token('alice@example.com');
    await api.token('carol@example.com');
  });

  const expectThrottled = (res: HttpResult) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  it('should throttle guessing at approval links', async () => {
    for (let i = 0; i < 3; i++) expect((await api.request('GET', `/approvals/guess-${i}`)).status).not.toBe(429);
    expectThrottled(await api.request('GET', '/approvals/guess-3'));
    expectThrottled(await api.request('POST', '/approvals/guess-4', { form: { decision: 'approve' } }));
  });

  it('should throttle dev-login and the pages sign-in callbacks', async () => {
    expect((await api.request('POST', '/api/auth/dev-login', { body: { email: 'nobody@example.com' } })).status).toBe(
      401,
    );
    expectThrottled(await api.request('POST', '/api/auth/dev-login', { body: { email: 'admin@example.com' } }));
    for (let i = 0; i < 3; i++) expect((await api.request('GET', '/app/auth/callback')).status).not.toBe(429);
    expectThrottled(await api.request('GET', '/app/auth/callback'));
  });

  it('should throttle policy evaluation per person and leave the rest of the API alone', async () => {
    const evaluate = (email: string) => api.as(email, 'POST', '/api/policy/evaluate', requestBody());
    expect((await evaluate('alice@example.com')).status).toBe(201);
    expect((await evaluate('alice@example.com')).status).toBe(201);
    expectThrottled(await evaluate('alice@example.com'));
    expect((await evaluate('carol@example.com')).status).toBe(201);
    for (let i = 0; i < 6; i++) expect((await api.as('alice@example.com', 'GET', '/api/requests')).status).toBe(200);
  });
});
