import * as fs from 'node:fs';
import * as path from 'node:path';
import { durationInWords } from '../../apps/web/durations';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody, sendBack } from '../support/factories';
import { signedIn, checkPage, usePagesSystem } from '../support/browser';

const SAMPLE_CSL = fs.readFileSync(path.join(__dirname, '../../seeds/screening/sample-csl.csv'), 'utf8');
const AUDITOR = 'auditor@example.com';
const ADMIN = 'admin@example.com';

/** Auditors and admins in real Chromium: search, replay, evidence, chain; policy, screening list, directory; dashboard. */
describe('auditor and admin pages in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;
  const plain = { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } };
  let approvedId: string;
  let rejectedId: string;
  let pendingId: string;

  beforeAll(async () => {
    const submit = async (email: string, overrides: Record<string, unknown>) => {
      const res = await http.as(email, 'POST', '/api/requests', requestBody('conference', { ...plain, ...overrides }));
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    // carol's plain conference trips need hr only, so one decision settles each
    approvedId = await submit('carol@example.com', { destinationCountry: 'JP', purpose: 'Keynote in Tokyo' });
    rejectedId = await submit('carol@example.com', { destinationCountry: 'DE', purpose: 'Poster in Berlin' });
    pendingId = await submit('alice@example.com', { destinationCountry: 'FR', purpose: 'Still pending' });
    const decide = (id: string, body: Record<string, unknown>) =>
      http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, { party: 'hr', ...body });
    expect((await decide(approvedId, { decision: 'approve' })).body.status).toBe('approved');
    expect((await decide(rejectedId, { decision: 'reject', comment: 'not this year' })).body.status).toBe('rejected');
  });

  it('should let an auditor search, replay a request, download its evidence and verify the chain', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, AUDITOR);
    await page.goto('/app/audit');
    await checkPage(page, 'audit-search');
    await page.getByLabel('Requester email').fill('alice@');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/requester=alice/);
    const results = page.locator('table');
    await expect(results.textContent()).resolves.toContain(pendingId);
    await expect(results.textContent()).resolves.not.toContain(rejectedId);

    await page.getByLabel('Requester email').fill('');
    // the destination by its name, from the country picker
    await page.getByLabel('Destination').fill('Japan');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/destination=Japan/);
    await expect(page.getByLabel('Destination').inputValue()).resolves.toBe('Japan');
    await expect(results.textContent()).resolves.toContain(approvedId);
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    // the request's human reference and the requester's name, not only a UUID and an email
    const approvedRef = (await http.as(AUDITOR, 'GET', `/api/requests/${approvedId}`)).body.reference as string;
    expect(approvedRef).toMatch(/^CLR-\d{4}-\d{6}$/);
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain(approvedRef);
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('Carol Lee');
    // and the reference finds it
    await page.getByLabel('Destination').fill('');
    await page.getByLabel('Any field').fill(approvedRef);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=CLR/);
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain(approvedRef);
    await expect(
      page.getByRole('link', { name: 'Conference trip to Japan', exact: true }).getAttribute('href'),
    ).resolves.toBe(`/app/requests/${approvedId}`);
    await checkPage(page, 'audit-results');

    await page.getByRole('link', { name: /^Audit view of/ }).click();
    await page.waitForURL(`**/app/audit/requests/${approvedId}`);
    await checkPage(page, 'audit-request');
    await page.getByRole('button', { name: 'Run replay' }).click();
    await page.locator('#replay-result').waitFor({ timeout: 30_000 });
    await expect(page.locator('#r-deterministic').textContent()).resolves.toBe('yes');
    await expect(page.locator('#r-matches').textContent()).resolves.toBe('yes');
    expect(Number(await page.locator('#r-events').textContent())).toBeGreaterThan(0);
    await expect(page.locator('#replay-result').textContent()).resolves.toContain('hr@example.com');
    // the rebuilt decisions in words: how each was taken, its conditions; no raw keys
    const result = (await page.locator('#replay-result').textContent())!;
    expect(result).toMatch(/signed in, through the API|through an email link/);
    expect(result).not.toMatch(/matchesRecords|eventCount|deterministic\b/);
    await checkPage(page, 'audit-replay');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /evidence pack/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`evidence-${approvedId}.zip`);
    const zip = fs.readFileSync(await download.path());
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');

    const history = await page.request.get(`/app/audit/requests/${approvedId}/history`);
    expect(history.status()).toBe(200);
    expect(history.headers()['content-type']).toContain('json');
    expect((await history.json()).events.length).toBeGreaterThan(0);

    await page.goto('/app/audit');
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.waitForURL(/\/app\/audit\/chain\??$/);
    await expect(page.locator('#chain-result').textContent()).resolves.toContain('ok');
    await checkPage(page, 'audit-chain');

    await page.goto('/app/audit');
    await page.getByRole('link', { name: 'The policy in force and every published version' }).click();
    const current = (await http.as('auditor@example.com', 'GET', '/api/policy')).body;
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      `version ${current.version}`,
    );
    await expect(page.locator('pre').textContent()).resolves.toContain('"routes"');
    await checkPage(page, 'audit-policy');
    await context.close();
  });

  it('should let an admin check a policy, see the diff and publish it', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/admin');
    await checkPage(page, 'admin');
    await page.getByRole('link', { name: 'Routing policy' }).click();
    await page.waitForURL('**/app/admin/policy');
    await checkPage(page, 'admin-policy');
    const editor = page.getByLabel('Policy (JSON)');
    const original = JSON.parse(await editor.inputValue());
    const before = (await http.as(ADMIN, 'GET', '/api/policy')).body.version as number;

    await editor.fill('{ "routes": ');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not JSON: line 1');

    await editor.fill(JSON.stringify({ ...original, routes: 5 }, null, 2));
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.locator('#policy-problems').textContent()).resolves.toContain('routes');
    await expect(editor.getAttribute('aria-invalid')).resolves.toBe('true');
    await checkPage(page, 'admin-policy-problems');

    const changed = { ...original, description: 'Checked in the browser test' };
    await editor.fill(JSON.stringify(changed, null, 2));
    await page.getByRole('button', { name: 'Check' }).click();
    const diff = page.locator('#policy-diff');
    await expect(diff.locator('.diff-add').first().textContent()).resolves.toContain('Checked in the browser test');
    expect((await http.as(ADMIN, 'GET', '/api/policy')).body.version).toBe(before);
    await checkPage(page, 'admin-policy-diff');

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByLabel(/^Reason for the change/).fill('A description for the browser test');
    await page.getByRole('button', { name: `Confirm and publish version ${before + 1}` }).click();
    await page.waitForURL(`**/app/admin/policy?published=${before + 1}`);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(`Published version ${before + 1}`);
    const current = (await http.as(ADMIN, 'GET', '/api/policy')).body;
    expect(current).toMatchObject({ version: before + 1, description: 'Checked in the browser test' });
    await context.close();
  });

  it('should let an admin import the screening list and see its entries', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/admin/screening');
    await checkPage(page, 'admin-screening');
    await page.getByLabel(/^CSV/).fill(`${SAMPLE_CSL.trimEnd()}\nbad-1,Nowhere List,,Entity,,,,,\n`);
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.locator('#import-report');
    await report.waitFor();
    const entries = (await http.as(ADMIN, 'GET', '/api/screening/entries?limit=200')).body.items;
    expect(entries.length).toBeGreaterThan(0);
    await expect(report.textContent()).resolves.toContain(`${entries.length} entries imported`);
    await expect(report.locator('tbody').last().textContent()).resolves.toMatch(/\d/);
    await expect(page.locator('#entries').textContent()).resolves.toContain('ACME Quantum Research Institute');
    await checkPage(page, 'admin-screening-report');

    // one entry by hand: the API's field error first, then the entry
    await page.getByLabel('Name', { exact: true }).fill('Orbital Dynamics Lab');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect(page.locator('#ae-source').textContent()).resolves.toContain('source');
    await page.getByLabel(/^Source \(the list/).fill('Internal watch list');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.waitForURL(/done=entry/);
    const found = (await http.as(ADMIN, 'GET', '/api/screening/entries?q=Orbital')).body.items;
    expect(found).toMatchObject([{ name: 'Orbital Dynamics Lab', source: 'Internal watch list' }]);
    await context.close();
  });

  it('should tell an admin an entry is already on the list, and edit and remove entries with a reason', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    const add = (name: string, country: string, source: string) =>
      http.as(ADMIN, 'POST', '/api/screening/entries', { name, country, source });
    expect((await add('ACME Quantum Research Institute', 'CN', 'CSL')).status).toBe(201);
    const orbit = (await add('Orbit Relay Systems', 'RU', 'CSL')).body;

    // A duplicate, spelt differently, is named in words beside the add form.
    await page.goto('/app/admin/screening');
    const addForm = page.locator('section', { has: page.getByRole('heading', { name: 'Add one entry' }) });
    await addForm.getByLabel('Name', { exact: true }).fill('acme quantum research inst.');
    await addForm.getByLabel(/^Country/).fill('cn');
    await addForm.getByLabel(/^Source \(the list/).fill('CSL');
    await addForm.getByRole('button', { name: 'Add entry' }).click();
    await expect(page.locator('#add-duplicate').textContent()).resolves.toBe(
      'Already on the list: ACME Quantum Research Institute (China, CSL)',
    );
    await checkPage(page, 'admin-screening-duplicate');

    // Edit: the row's button opens the entry's form; the change needs a reason.
    await page.goto('/app/admin/screening?q=Orbit%20Relay');
    await page.getByRole('button', { name: 'Edit Orbit Relay Systems' }).click();
    const edit = page.locator('#edit-entry');
    await edit.waitFor();
    await checkPage(page, 'admin-screening-edit');
    // the country by its name, from the picker (the entry's RU shows as Russia)
    await expect(edit.getByLabel(/^Country/).inputValue()).resolves.toBe('Russia');
    await edit.getByLabel(/^Country/).fill('Belarus');
    await edit.getByLabel(/^Reason/).fill('Moved to Minsk, list of 2026-11-20');
    await edit.getByRole('button', { name: 'Save the change' }).click();
    await page.waitForURL(/done=edited/);
    const edited = (await http.as(ADMIN, 'GET', `/api/screening/entries/${orbit.id}`)).body;
    expect(edited).toMatchObject({ name: 'Orbit Relay Systems', country: 'BY', source: 'CSL' });

    // Editing it into an entry already on the list is refused, in words beside the form.
    await page.goto('/app/admin/screening?q=Orbit%20Relay');
    await page.getByRole('button', { name: 'Edit Orbit Relay Systems' }).click();
    await edit.waitFor();
    await edit.getByLabel('Name', { exact: true }).fill('ACME Quantum Research Institute');
    await edit.getByLabel(/^Country/).fill('China');
    await edit.getByLabel(/^Reason/).fill('wrong row');
    await edit.getByRole('button', { name: 'Save the change' }).click();
    await expect(page.locator('#edit-duplicate').textContent()).resolves.toBe(
      'Already on the list: ACME Quantum Research Institute (China, CSL)',
    );
    await checkPage(page, 'admin-screening-edit-duplicate');
    expect((await http.as(ADMIN, 'GET', `/api/screening/entries/${orbit.id}`)).body.name).toBe('Orbit Relay Systems');

    // Remove: the confirmation shows the entry and asks why.
    await page.goto('/app/admin/screening?q=Orbit%20Relay');
    await page.getByRole('button', { name: 'Remove Orbit Relay Systems' }).click();
    const confirm = page.locator('#remove-entry');
    await confirm.waitFor();
    await expect(confirm.getByRole('heading').textContent()).resolves.toBe('Remove Orbit Relay Systems from the list?');
    await expect(confirm.textContent()).resolves.toMatch(/Belarus[\s\S]*CSL/);
    await checkPage(page, 'admin-screening-remove');
    await confirm.getByLabel(/^Reason/).fill('Delisted on 2026-11-25');
    await confirm.getByRole('button', { name: 'Remove the entry' }).click();
    await page.waitForURL(/done=removed/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('The entry was removed');
    expect((await http.as(ADMIN, 'GET', '/api/screening/entries?q=Orbit%20Relay')).body.items).toEqual([]);

    // Removed entries are shown on request, with who removed them and why, and without buttons.
    await page.goto('/app/admin/screening?q=Orbit%20Relay');
    await page.getByLabel('Show removed entries too').check();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/includeRemoved=true/);
    await expect(page.locator('#entries').textContent()).resolves.toMatch(
      /Removed .* by admin@example.com: Delisted on 2026-11-25/,
    );
    await expect(page.getByRole('button', { name: 'Remove Orbit Relay Systems' }).count()).resolves.toBe(0);
    await checkPage(page, 'admin-screening-removed');
    await context.close();
  });

  it("should let an admin change a person's tier", async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, ADMIN);
    await page.goto('/app/admin/directory?q=carol');
    await checkPage(page, 'admin-directory');
    const before = (await http.as(ADMIN, 'GET', '/api/directory/people/carol@example.com')).body;
    const next = before.tier === 'sensitive' ? 'core' : 'sensitive';
    await page.getByLabel('Tier of carol@example.com', { exact: true }).selectOption(next);
    await page.getByRole('button', { name: 'Change carol@example.com' }).click();
    await page.getByLabel(/^Reason for the change/).fill('New role');
    await page.getByRole('button', { name: 'Confirm the change' }).click();
    await page.waitForURL(/done=person/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('change was saved');
    const after = (await http.as(ADMIN, 'GET', '/api/directory/people/carol@example.com')).body;
    expect(after).toEqual({ ...before, tier: next });
    await checkPage(page, 'admin-directory-saved');
    await context.close();
  });

  it('should draw the dashboard with the numbers of the API', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, AUDITOR);
    await page.goto('/app/dashboard');
    const api = (await http.as(AUDITOR, 'GET', '/api/reports/dashboard')).body;
    for (const id of ['chart-status', 'chart-type', 'chart-decisions']) {
      const canvas = page.locator(`#${id}`);
      await expect(canvas.getAttribute('role')).resolves.toBe('img');
      await expect(canvas.getAttribute('aria-label')).resolves.toBeTruthy();
    }
    // Chart.js took the canvas (it sizes it and registers the chart).
    await page.waitForFunction(() => {
      const chart = (window as unknown as { Chart?: { getChart(id: string): unknown } }).Chart;
      return Boolean(chart?.getChart('chart-status') && chart.getChart('chart-decisions'));
    });
    await expect(page.locator('#n-requests').textContent()).resolves.toBe(String(api.requests.total));
    expect(api.requests.total).toBe(3);
    for (const series of api.requests.byStatus as { key: string; counts: number[] }[]) {
      const total = series.counts.reduce((a, b) => a + b, 0);
      await expect(page.locator(`#table-status [data-total="${series.key}"]`).textContent()).resolves.toBe(
        String(total),
      );
    }
    const hr = (api.decisionTimes as { party: string; decided: number; medianHours: number; p90Hours: number }[]).find(
      (t) => t.party === 'hr',
    )!;
    expect(hr.decided).toBe(2);
    const cells = await page.locator('#table-decisions th[data-party="hr"] ~ td').allTextContents();
    expect(cells).toEqual([String(hr.decided), durationInWords(hr.medianHours), durationInWords(hr.p90Hours)]);
    await expect(page.locator('#n-overdue-approvals').textContent()).resolves.toBe(String(api.overdueApprovals.count));
    await checkPage(page, 'dashboard');
    await context.close();
  });

  // last in this file: it adds requests and decisions the dashboard test above counts
  it('should replay in words: a delegate deciding on behalf of the member, the conditions, the round, the amendment and the withdrawal', async () => {
    const trip = (overrides: Record<string, unknown>) => requestBody('conference', { ...plain, ...overrides });
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', trip({ destinationCountry: 'IT' }));
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await sendBack(http, id, 'hr', 'hr@example.com', 'Name the organiser');
    // hr is away: the lead stands in, and is emailed a link that decides on hr's behalf
    const away = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(3),
    });
    expect(away.status).toBe(200);
    expect(
      (
        await http.as(
          'carol@example.com',
          'POST',
          `/api/requests/${id}/amend`,
          trip({ destinationCountry: 'IT', purpose: 'Meet the organiser' }),
        )
      ).status,
    ).toBe(200);
    const claims = (link: string) =>
      JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());
    const link = await eventually(
      async () =>
        (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent('hr-lead@example.com')}`)).body
          .flatMap((m) => m.links as string[])
          .find((l) => claims(l).rid === id && claims(l).obo === 'hr@example.com' && claims(l).rnd === 2),
      'the lead’s link on behalf of hr, for the amended request',
    );
    const decided = await http.request('POST', link, {
      form: { decision: 'approve', conditions: 'Clean laptop only' },
    });
    expect(decided.status).toBe(200);
    expect((await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body.status).toBe('approved');
    expect((await http.as('hr@example.com', 'DELETE', '/api/me/delegation')).status).toBeLessThan(300);

    const withdrawn = await http.as('carol@example.com', 'POST', '/api/requests', trip({ destinationCountry: 'ES' }));
    expect(withdrawn.status).toBe(201);
    const withdrawnId = withdrawn.body.id as string;
    const gone = await http.as('carol@example.com', 'POST', `/api/requests/${withdrawnId}/withdraw`, {
      reason: 'The conference was cancelled',
    });
    expect(gone.status).toBe(200);

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, AUDITOR);
    await page.goto(`/app/audit/requests/${id}`);
    await page.getByRole('button', { name: 'Run replay' }).click();
    await page.locator('#replay-result').waitFor({ timeout: 30_000 });
    const decisions = page.locator('#replay-result table').last().locator('tbody tr');
    const rows = await decisions.allTextContents();
    const approval = rows.find((r) => r.includes('Clean laptop only'))!;
    expect(approval).toBeDefined();
    expect(approval).toContain('Helen Rossi (HR lead) on behalf of Hana Reyes (HR)');
    expect(await decisions.filter({ hasText: 'Clean laptop only' }).locator('td').first().textContent()).toBe('2');
    const askedChanges = rows.find((r) => r.includes('Name the organiser'))!;
    expect(askedChanges).toContain('Hana Reyes (HR)');
    expect(await decisions.filter({ hasText: 'Name the organiser' }).locator('td').first().textContent()).toBe('1');
    await expect(page.locator('#r-amendments').textContent()).resolves.toContain('Amended by Carol Lee on');
    const whole = (await page.locator('#replay-result').textContent())!;
    expect(whole).not.toMatch(/standing in|onBehalfOf|request_changes/);
    await checkPage(page, 'audit-replay-delegate');

    await page.goto(`/app/audit/requests/${withdrawnId}`);
    await page.getByRole('button', { name: 'Run replay' }).click();
    await page.locator('#replay-result').waitFor({ timeout: 30_000 });
    await expect(page.locator('#r-withdrawal').textContent()).resolves.toMatch(
      /^Withdrawn by Carol Lee on .+, saying: “The conference was cancelled”\.$/,
    );
    await checkPage(page, 'audit-replay-withdrawn');
    await context.close();
  });
});
