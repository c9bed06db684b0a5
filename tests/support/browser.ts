/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testDatabases } from './databases';
import { useSystem, type UsedSystem } from './system';

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium that never reaches for the network beyond loopback. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh browser profile (no cookies) signed in through the dev sign-in page as `email`. */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  email: string,
  viewport = { width: 1200, height: 900 },
) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  const page = await context.newPage();
  await page.goto('/app/sign-in');
  await page.getByRole('button', { name: new RegExp(`^${escapeRegExp(nameOf(email))}$`) }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/app/sign-in'));
  return { context, page };
}

const SEEDED_NAMES: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../seeds/directory.dev.json'), 'utf8'),
).people.reduce(
  (names: Record<string, string>, p: { email: string; name: string }) => ({ ...names, [p.email]: p.name }),
  {},
);

function nameOf(email: string): string {
  const name = SEEDED_NAMES[email];
  if (!name) throw new Error(`${email} is not in the dev seed`);
  return name;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page; answers the serious and critical violations (WCAG 2 A/AA rules). */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // evaluated through the DevTools protocol: an inline <script> tag would be refused by the pages' CSP
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Bytes of script the page loaded (external files and inline scripts). */
export async function scriptBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const scripts = Array.from(document.querySelectorAll('script'));
    let total = 0;
    for (const script of scripts) {
      if (script.src) total += (await (await fetch(script.src)).arrayBuffer()).byteLength;
      else total += new TextEncoder().encode(script.textContent ?? '').byteLength;
    }
    return total;
  });
}

/** No page may load more script than this (issue 7). */
export const SCRIPT_BUDGET = 300 * 1024;

/** What every page must be: under the script budget, free of serious accessibility violations; pictured. */
export async function checkPage(page: Page, name: string): Promise<void> {
  expect(await scriptBytes(page)).toBeLessThan(SCRIPT_BUDGET);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, name);
}

/** Saves a screenshot when SCREENSHOTS_DIR is set (the README's pictures come from here). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/**
 * The system (SQLite) and a Chromium for a page spec, started in `beforeAll` and stopped in
 * `afterAll`: `const pages = usePagesSystem();` inside the `describe`, then `pages.http`,
 * `pages.system`, `pages.browser` in hooks and tests.
 */
export function usePagesSystem(): UsedSystem & { readonly browser: Browser } {
  const used = useSystem(testDatabases()[0]);
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get system() {
      return used.system;
    },
    http: used.http,
    get browser() {
      if (!browser) throw new Error('Chromium starts in beforeAll: use it inside hooks and tests');
      return browser;
    },
  };
}

export type { Browser, BrowserContext, Page };
