import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { testDatabases } from '../support/databases';
import type { Http } from '../support/http';
import { startProductionApi, type ProductionApi } from '../support/production-api';

/**
 * Production mode: tokens come from the organisation's identity provider (a real JWKS endpoint
 * on loopback here), and the dev conveniences do not exist.
 */
describe('production mode', () => {
  const [database] = testDatabases();
  let production: ProductionApi;
  let api: Http;
  let sign: (
    claims: Record<string, unknown>,
    options?: { audience?: string; expiresIn?: string; key?: Parameters<SignJWT['sign']>[0] },
  ) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    sign = (claims, options = {}) =>
      new SignJWT({ email_verified: true, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer('https://idp.example.com/')
        .setAudience(options.audience ?? 'clearance')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.key ?? privateKey);

    production = await startProductionApi(database, jwk);
    expect(production.config.devMode).toBe(false);
    api = production.http;
  });

  afterAll(async () => {
    await production?.stop();
  });

  const list = (token: string) =>
    api.request('GET', '/api/requests', { headers: { authorization: `Bearer ${token}` } });

  it('should have no dev-login and no dev mailbox', async () => {
    expect((await api.request('POST', '/api/auth/dev-login', { body: { email: 'alice@example.com' } })).status).toBe(
      404,
    );
    expect((await api.request('GET', '/dev/mailbox')).status).toBe(404);
    expect((await api.request('GET', '/dev/mailbox.html')).status).toBe(404);
  });

  it("should accept the identity provider's token for a person of the directory", async () => {
    const res = await list(await sign({ email: 'alice@example.com', sub: 'idp-user-1' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('should refuse tokens with the wrong audience, a foreign key, an expired date, or an unknown person', async () => {
    expect((await list(await sign({ email: 'alice@example.com' }, { audience: 'someone-else' }))).status).toBe(401);
    const stranger = await generateKeyPair('RS256');
    expect((await list(await sign({ email: 'alice@example.com' }, { key: stranger.privateKey }))).status).toBe(401);
    expect((await list(await sign({ email: 'alice@example.com' }, { expiresIn: '-1m' }))).status).toBe(401);
    expect((await list(await sign({ email: 'mallory@example.com' }))).status).toBe(401);
  });
});
