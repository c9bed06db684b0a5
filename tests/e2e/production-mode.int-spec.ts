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
 * Production mode: tokens come from the organisation's identity provider (a real JWKS endpoint
 * on loopback here), and the dev conveniences do not exist.
 */
describe('production mode', () => {
  const [database] = testDatabases();
  let app: INestApplication;
  let api: Http;
  let jwksServer: http.Server;
  let drop: () => Promise<void>;
  let sign: (
    claims: Record<string, unknown>,
    options?: { audience?: string; expiresIn?: string; key?: Parameters<SignJWT['sign']>[0] },
  ) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwksServer = http.createServer((_, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    sign = (claims, options = {}) =>
      new SignJWT({ email_verified: true, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer('https://idp.example.com/')
        .setAudience(options.audience ?? 'clearance')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.key ?? privateKey);

    const db = await database.create();
    drop = db.drop;
    const port = await freePort();
    const config = loadConfig(
      testEnv({
        ...db.env,
        NODE_ENV: 'production',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LINK_TOKEN_SECRET: 'a-production-link-secret-of-enough-length',
        UPDATE_PROOF_SECRET: 'a-production-update-proof-secret-of-enough-length',
        AUTH_ISSUER: 'https://idp.example.com/',
        AUTH_AUDIENCE: 'clearance',
        AUTH_JWKS_URL: jwksUrl,
        ENCRYPTION_KEYS: `prod-1:${Buffer.alloc(32, 7).toString('base64')}`,
        AUDIT_CHAIN_KEYS: `audit-1:${Buffer.alloc(32, 9).toString('base64')}`,
        DIRECTORY_SEED_FILE: path.join(PROJECT_ROOT, 'seeds/directory.dev.json'),
      }),
    );
    expect(config.devMode).toBe(false);
    app = await createApiApp(config);
    await app.listen(port, '127.0.0.1');
    api = new Http(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await app?.close();
    await drop?.();
    jwksServer?.close();
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
