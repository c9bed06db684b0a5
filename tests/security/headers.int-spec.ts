import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../../apps/api/app';
import { loadConfig } from '@libs/config';
import { freePort } from '../../scripts/dev-server';
import { launchBrowser, signedIn, type Browser } from '../support/browser';
import { testDatabases } from '../support/databases';
import { Http } from '../support/http';
import { testEnv, useSystem } from '../support/system';

/** The CSP's directives by name. */
function directives(header: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );
}

/**
 * Issue 12, HTTP hardening: pages under a strict Content-Security-Policy that they themselves
 * keep to, never framed, no sniffing, link pages (whose URL is a credential) without a referrer,
 * HSTS behind https, and a readiness probe that tells strangers nothing but up or down.
 */
describe('security headers and the readiness probe', () => {
  const [database] = testDatabases();
  const used = useSystem(database);
  const { http: api } = used;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('should serve the pages under a strict CSP, unframeable and unsniffable', async () => {
    const res = await api.request('GET', '/app/sign-in');
    expect(res.status).toBe(200);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('should send no referrer from a link page and allow only the app’s own stylesheet', async () => {
    const res = await api.request('GET', '/approvals/not-a-real-token');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['script-src']).toBeUndefined();
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(res.text).toContain('<link rel="stylesheet" href="/app/assets/app.css">');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('should keep the JSON API unsniffable and unframeable too', async () => {
    const res = await api.request('GET', '/health/live');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(directives(res.headers.get('content-security-policy'))['frame-ancestors']).toEqual(["'none'"]);
  });

  it('should render every kind of page in Chromium without a single CSP violation', async () => {
    const visits: Array<[string, string]> = [
      ['admin@example.com', '/app/dashboard'],
      ['alice@example.com', '/app/requests/new?type=conference'],
      ['alice@example.com', '/approvals/not-a-real-token'],
    ];
    for (const [email, url] of visits) {
      const { context, page } = await signedIn(browser, used.system.baseUrl, email);
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) =>
          // eslint-disable-next-line no-console -- the page reports to the test through its console
          console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      if (url === '/app/dashboard') {
        // Chart.js ran and drew: the dashboard's script and the chart library both loaded.
        expect(await page.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe('function');
      }
      // the app's stylesheet applied, on the email-link pages too (they wear the app's look)
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('header.top')!).display)).toBe('flex');
      expect({ url, violations }).toEqual({ url, violations: [] });
      await context.close();
    }
  });

  it('should answer readiness with up or down per dependency and no error text', async () => {
    const ready = await api.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: { status: 'up' }, temporal: { status: 'up' } } });

    // Temporal unreachable: 503, and nothing about where it was looked for.
    const db = await database.create();
    const deadPort = await freePort();
    const port = await freePort();
    const config = loadConfig(testEnv({ ...db.env, PORT: String(port), TEMPORAL_ADDRESS: `127.0.0.1:${deadPort}` }));
    const app: INestApplication = await createApiApp(config);
    try {
      await app.listen(port, '127.0.0.1');
      const down = await new Http(`http://127.0.0.1:${port}`).request('GET', '/health/ready');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        status: 'unavailable',
        checks: { database: { status: 'up' }, temporal: { status: 'down' } },
      });
      expect(down.text).not.toContain(String(deadPort));
    } finally {
      await app.close();
      await db.drop();
    }
  });

  it('should send HSTS when PUBLIC_URL is https', async () => {
    const db = await database.create();
    const port = await freePort();
    const config = loadConfig(testEnv({ ...db.env, PORT: String(port), PUBLIC_URL: 'https://clearance.example.com' }));
    const app: INestApplication = await createApiApp(config);
    try {
      await app.listen(port, '127.0.0.1');
      const res = await new Http(`http://127.0.0.1:${port}`).request('GET', '/health/live');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
