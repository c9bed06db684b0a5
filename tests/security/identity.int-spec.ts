import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { testDatabases } from '../support/databases';
import type { Http } from '../support/http';
import { startProductionApi, type ProductionApi } from '../support/production-api';

/**
 * Issue 12, identity: the organisation's tokens are accepted only as they should be. The JWKS
 * publishes its key without an `alg` (as many providers do), so only the API's allowlist pins the
 * algorithm.
 */
describe('identity provider tokens (production mode)', () => {
  const [database] = testDatabases();
  let production: ProductionApi;
  let api: Http;
  let privateKey: Parameters<SignJWT['sign']>[0];

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', use: 'sig' };
    production = await startProductionApi(database, jwk);
    api = production.http;
  });

  afterAll(async () => {
    await production?.stop();
  });

  const token = (claims: Record<string, unknown>, options: { alg?: string; exp?: boolean } = {}) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: 'test-key' })
      .setIssuer('https://idp.example.com/')
      .setAudience('clearance')
      .setIssuedAt();
    if (options.exp !== false) jwt.setExpirationTime('5m');
    return jwt.sign(privateKey);
  };
  const status = async (jwt: Promise<string>) =>
    (await api.request('GET', '/api/requests', { headers: { authorization: `Bearer ${await jwt}` } })).status;

  it('should accept a token whose email the provider verified', async () => {
    expect(await status(token({ email: 'alice@example.com', email_verified: true }))).toBe(200);
  });

  it('should refuse a token whose email is not verified, or not said to be', async () => {
    expect(await status(token({ email: 'alice@example.com', email_verified: false }))).toBe(401);
    expect(await status(token({ email: 'alice@example.com', email_verified: 'true' }))).toBe(401);
    expect(await status(token({ email: 'alice@example.com' }))).toBe(401);
  });

  it('should refuse a token signed with an algorithm outside the allowlist', async () => {
    expect(await status(token({ email: 'alice@example.com', email_verified: true }, { alg: 'RS512' }))).toBe(401);
  });

  it('should refuse a token without an expiry', async () => {
    expect(await status(token({ email: 'alice@example.com', email_verified: true }, { exp: false }))).toBe(401);
  });

  it('should not take the subject for the email when the email claim is missing', async () => {
    expect(await status(token({ sub: 'alice@example.com', email_verified: true }))).toBe(401);
  });

  it('should have no dev-login, whose tokens would bypass all of this', async () => {
    expect((await api.request('POST', '/api/auth/dev-login', { body: { email: 'admin@example.com' } })).status).toBe(
      404,
    );
  });
});
