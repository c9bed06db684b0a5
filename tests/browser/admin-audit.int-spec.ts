import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@libs/persistence';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { checkPage, signedIn, usePagesSystem } from '../support/browser';

const ADMIN = 'admin@example.com';

/** Issue 13, admin and audit, in real Chromium: the policy editor in words, and durations people read. */
describe('admin and audit pages in words, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  // first: the policy published below asks HR for two approvals
  it('should show a decision taken within minutes in minutes, not "0 hours"', async () => {
    const res = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', {
        technologyAreas: ['none'],
        dataCategories: ['none'],
        details: { eventName: 'E', presenting: false },
      }),
    );
    expect(res.status).toBe(201);
    const view = res.body;
    const decided = await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    await eventually(
      async () =>
        ((await http.as(ADMIN, 'GET', '/api/reports/dashboard')).body.decisionTimes as unknown[]).length > 0 ||
        undefined,
      'the decision in the dashboard',
    );
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/dashboard');
    const cells = await page.locator('#table-decisions tbody td').allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    const durations = cells.filter((_, i) => i % 3 !== 0);
    for (const d of durations) expect(d).toMatch(/^(under a minute|\d+ minutes?)$/);
    await checkPage(page, 'dashboard-durations');
    await context.close();
  });

  it('should give a JSON mistake by line and column with the line itself', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/admin/policy');
    const editor = page.getByLabel('Policy (JSON)');
    // a missing comma after line 2's value: the mistake is found on line 3, column 3
    await editor.fill('{\n  "description": "x"\n  "routes": {}\n}');
    await page.getByRole('button', { name: 'Check' }).click();
    const problems = page.locator('#policy-problems');
    await expect(problems.textContent()).resolves.toContain('line 3, column 3');
    await expect(problems.textContent()).resolves.not.toContain('position');
    await expect(page.locator('#policy-syntax-line').textContent()).resolves.toBe('  "routes": {}');
    await checkPage(page, 'admin-policy-syntax');

    // a validation problem names the field in words (and its path)
    const current = (await http.as(ADMIN, 'GET', '/api/policy')).body;
    const { version: _v, createdBy: _b, createdAt: _a, changeReason: _r, ...document } = current;
    const hr = document.parties.hr;
    await editor.fill(JSON.stringify({ ...document, parties: { ...document.parties, hr: { ...hr, quorum: 0 } } }));
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(problems.textContent()).resolves.toContain('Parties › HR › Quorum');
    await context.close();
  });

  it('should diff with keys in sorted order and publish only after confirmation with a reason', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/admin/policy');
    const editor = page.getByLabel('Policy (JSON)');
    const original = JSON.parse(await editor.inputValue());
    const before = (await http.as(ADMIN, 'GET', '/api/policy')).body.version as number;
    // every key in reverse order, two values changed
    const reversed = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reversed);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, reversed(v)]),
      );
    };
    const draft = reversed({
      ...original,
      description: 'Two values changed',
      parties: { ...original.parties, hr: { ...original.parties.hr, quorum: 2 } },
    });
    await editor.fill(JSON.stringify(draft, null, 2));
    await page.getByRole('button', { name: 'Check' }).click();
    const diff = page.locator('#policy-diff');
    await expect(diff.locator('.diff-add').count()).resolves.toBe(2);
    await expect(diff.locator('.diff-del').count()).resolves.toBe(2);
    await expect(diff.getByRole('status').textContent()).resolves.toContain('2 line(s) changed');

    // Publish asks first: what changes, and why
    await page.getByRole('button', { name: 'Publish' }).click();
    const confirm = page.locator('#policy-confirm');
    await expect(confirm.getByRole('heading').textContent()).resolves.toContain(`Publish version ${before + 1}?`);
    expect((await http.as(ADMIN, 'GET', '/api/policy')).body.version).toBe(before);
    await checkPage(page, 'admin-policy-confirm');
    // the reason is required (the browser's check is taken off to see the page's own)
    await page.locator('#f-reason').evaluate((el) => el.removeAttribute('required'));
    await page.getByRole('button', { name: `Confirm and publish version ${before + 1}` }).click();
    await expect(page.locator('#e-reason').textContent()).resolves.toContain('reason');
    expect((await http.as(ADMIN, 'GET', '/api/policy')).body.version).toBe(before);

    await page.getByLabel(/^Reason for the change/).fill('HR wants a second pair of eyes — décision du comité');
    await page.getByRole('button', { name: `Confirm and publish version ${before + 1}` }).click();
    await page.waitForURL(`**/app/admin/policy?published=${before + 1}`);
    const stored = (await http.as(ADMIN, 'GET', '/api/policy')).body;
    expect(stored).toMatchObject({
      version: before + 1,
      description: 'Two values changed',
      changeReason: 'HR wants a second pair of eyes — décision du comité',
    });
    expect(stored.parties.hr.quorum).toBe(2);
    await expect(page.locator('#policy-versions tbody tr').first().textContent()).resolves.toContain(
      'HR wants a second pair of eyes — décision du comité',
    );
    await checkPage(page, 'admin-policy-published');
    await context.close();
  });

  it('should change a tier and flags only after a confirmation showing from and to, with a reason kept in the audit log', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/admin/directory?q=carol%40example.com');
    const row = page.locator('#people tbody tr').first();
    await expect(row.textContent()).resolves.toContain('Classified access: no');
    await row.getByLabel('Tier of carol@example.com').selectOption('strategic');
    await row.getByLabel('Classified access of carol@example.com').check();
    await row.getByLabel('Confidentiality period of carol@example.com ends').fill('2027-06-30');
    await row.getByRole('button', { name: 'Change carol@example.com' }).click();
    const confirm = page.locator('#person-confirm');
    const text = (await confirm.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('Tier: Standard → Strategic');
    expect(text).toContain('Classified access: no → yes');
    expect(text).toContain('Confidentiality period ends: none → 2027-06-30');
    expect((await http.as(ADMIN, 'GET', '/api/directory/people/carol@example.com')).body.tier).toBe('standard');
    await checkPage(page, 'admin-directory-confirm');

    await page.locator('#f-person-reason').evaluate((el) => el.removeAttribute('required'));
    await confirm.getByRole('button', { name: 'Confirm the change' }).click();
    await expect(page.locator('#e-person-reason').textContent()).resolves.toContain('reason');
    await page.getByLabel(/^Reason for the change/).fill('Promoted to the quantum programme');
    await page.locator('#person-confirm').getByRole('button', { name: 'Confirm the change' }).click();
    await page.waitForURL(/done=person/);
    const carol = (await http.as(ADMIN, 'GET', '/api/directory/people/carol@example.com')).body;
    expect(carol).toMatchObject({
      tier: 'strategic',
      flags: { classifiedAccess: true, confidentialityPeriodEnds: '2027-06-30' },
    });
    const [entry] = await pages.system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { event: 'directory.tier.changed' }, order: { seq: 'DESC' }, take: 1 });
    expect(JSON.parse(entry.payload)).toMatchObject({
      subject: 'carol@example.com',
      reason: 'Promoted to the quantum programme',
      alsoChanged: ['classifiedAccess', 'confidentialityPeriodEnds'],
    });
    await context.close();
  });
});
