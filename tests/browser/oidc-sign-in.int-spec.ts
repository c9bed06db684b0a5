import * as path from 'node:path';
import { PROJECT_ROOT } from '@libs/config';
import { testDatabases } from '../support/databases';
import { launchBrowser, seriousA11yViolations, type Browser } from '../support/browser';
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider';
import { startSystem, type TestSystem } from '../support/system';

/** Production sign-in: authorization code with PKCE against a real OIDC provider on loopback, in Chromium. */
describe('OpenID Connect sign-in (production mode)', () => {
  const [sqlite] = testDatabases();
  let provider: OidcProvider;
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startOidcProvider();
    system = await startSystem(sqlite, {
      NODE_ENV: 'production',
      LINK_TOKEN_SECRET: 'a-production-link-secret-of-enough-length',
      UPDATE_PROOF_SECRET: 'a-production-update-proof-secret-of-enough-length',
      ENCRYPTION_KEYS: `prod-1:${Buffer.alloc(32, 7).toString('base64')}`,
      AUDIT_CHAIN_KEYS: `audit-1:${Buffer.alloc(32, 9).toString('base64')}`,
      AUTH_ISSUER: provider.issuer,
      AUTH_AUDIENCE: provider.clientId,
      AUTH_JWKS_URL: provider.jwksUrl,
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_PROVIDER_NAME: 'Example SSO',
      DIRECTORY_SEED_FILE: path.join(PROJECT_ROOT, 'seeds/directory.dev.json'),
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await provider?.close();
  });

  it('should offer only the provider (no list of people) and sign in through it with PKCE', async () => {
    expect(system.config.devMode).toBe(false);
    const context = await browser.newContext({ baseURL: system.baseUrl });
    const page = await context.newPage();
    await page.goto('/app/requests');
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    expect(await page.getByRole('button', { name: 'Alice Kim' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    provider.user.email = 'alice@example.com';
    await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
    await page.waitForURL('**/app/requests');
    await expect(page.locator('.who').textContent()).resolves.toContain('Alice Kim');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'clearance_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(provider.refusals).toEqual([]);
    await context.close();
  });

  it('should refuse a callback that did not start in this browser (no verifier, state or nonce)', async () => {
    // Someone starts a sign-in and gets the provider's redirect back (with a valid code) ...
    const login = await fetch(`${system.baseUrl}/app/auth/login`, { redirect: 'manual' });
    const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    const callback = authorize.headers.get('location')!;
    expect(callback).toContain('/app/auth/callback?code=');

    // ... and that URL is opened in another browser, which never started a sign-in.
    const other = await browser.newContext({ baseURL: system.baseUrl });
    const victim = await other.newPage();
    const response = await victim.goto(callback);
    expect(response?.status()).toBe(401);
    await expect(victim.getByRole('alert').textContent()).resolves.toContain('Signing in did not work');
    expect((await other.cookies()).some((c) => c.name === 'clearance_session')).toBe(false);
    await other.close();
  });
});
