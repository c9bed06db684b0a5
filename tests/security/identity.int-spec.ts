import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createApiApp } from '../../apps/api/app';
import { loadConfig, PROJECT_ROOT } from '../../libs/config';
import { freePort } from '../../scripts/dev-server';
import { testDatabases } from '../support/databases';
import { Http } from '../support/http';
import { testEnv } from '../support/system';

/**
 * Issue 12, identity: the organisation's tokens are accepted only as they should be. The JWKS
 * publishes its key without an `alg` (as many providers do), so only the API's allowlist pins the
 * algorithm.
 */
describe('identity provider tokens (production mode)', () => {
  const [database] = testDatabases();
  let app: INestApplication;
  let api: Http;
  let jwksServer: http.Server;
  let drop: () => Promise<void>;
  let privateKey: Parameters<SignJWT['sign']>[0];

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', use: 'sig' };
    jwksServer = http.createServer((_, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    const db = await database.create();
    drop = db.drop;
    const port = await freePort();
    const config = loadConfig(
      testEnv({
        ...db.env,
        NODE_ENV: 'production',
        CLEARANCE_DEV_MODE: '',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LINK_TOKEN_SECRET: 'a-production-link-secret-of-enough-length',
        AUTH_ISSUER: 'https://idp.example.com/',
        AUTH_AUDIENCE: 'clearance',
        AUTH_JWKS_URL: jwksUrl,
        ENCRYPTION_KEYS: `prod-1:${Buffer.alloc(32, 7).toString('base64')}`,
        AUDIT_CHAIN_KEYS: `audit-1:${Buffer.alloc(32, 9).toString('base64')}`,
        UPDATE_PROOF_SECRET: 'u'.repeat(40),
        DIRECTORY_SEED_FILE: path.join(PROJECT_ROOT, 'seeds/directory.dev.json'),
      }),
    );
    app = await createApiApp(config);
    await app.listen(port, '127.0.0.1');
    api = new Http(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await app?.close();
    await drop?.();
    jwksServer?.close();
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
