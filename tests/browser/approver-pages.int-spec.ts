import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { signedIn, type Page, checkPage, usePagesSystem } from '../support/browser';
import { insertPendingApprovals, loadRequestId } from '../support/inbox-rows';
import { DataSource } from 'typeorm';

const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

/** Approvers and the custodian work through their pages in real Chromium: inbox, bulk, email link, delegation, custody. */
describe('approver and custodian pages in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  async function submit(email: string, body: Record<string, unknown>): Promise<{ id: string }> {
    const res = await http.as(email, 'POST', '/api/requests', body);
    if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${res.text}`);
    return res.body;
  }

  async function approvalOf(id: string, party: string): Promise<string | undefined> {
    const view = (await http.as('alice@example.com', 'GET', `/api/requests/${id}`)).body;
    return view.stages.flatMap((s: any) => s.approvals).find((a: any) => a.party === party)?.status;
  }

  it('should filter the inbox, bulk-approve two requests and decide one from the detail page', async () => {
    const first = await submit('alice@example.com', requestBody('conference', { destinationCountry: 'JP' }));
    const other = await submit('alice@example.com', requestBody('conference', { destinationCountry: 'JP' }));
    const elsewhere = await submit('alice@example.com', requestBody('conference', { destinationCountry: 'DE' }));
    await submit('alice@example.com', requestBody('overseas_assignment', { destinationCountry: 'JP' }));

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    expect(new URL(page.url()).pathname).toBe('/app/inbox');
    await eventually(async () => {
      await page.goto('/app/inbox');
      return Number(await page.locator('#count-total').textContent()) >= 4;
    }, 'four approvals in the inbox');
    await checkPage(page, 'inbox');

    await page.getByLabel('Party').selectOption('hr');
    await page.getByLabel('Type').selectOption('conference');
    await page.getByLabel('Destination').fill('jp');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/destination=jp/i);
    await expect(page.locator('#count-total').textContent()).resolves.toBe('2');
    await expect(page.locator('tbody tr').count()).resolves.toBe(2);
    await expect(page.locator('tbody').textContent()).resolves.not.toContain('DE');
    await checkPage(page, 'inbox-filtered');

    // keyboard: every row's checkbox has a label naming the request, and Space ticks it
    const boxes = page.getByRole('checkbox', { name: /^Select Conference trip to Japan from Alice Kim for HR$/ });
    await expect(boxes.count()).resolves.toBe(2);
    await boxes.nth(0).focus();
    await page.keyboard.press('Space');
    await boxes.nth(1).check();
    await page.getByLabel(/^Conditions of the approvals/).fill('Clean laptop only');
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await page.waitForURL('**/app/inbox/bulk');
    // a confirmation first, then the approvals
    await page.getByRole('button', { name: 'Approve these 2' }).click();
    await page.getByRole('heading', { name: /^Approved/ }).waitFor();
    const results = page.locator('#h-results');
    await expect(results.textContent()).resolves.toBe('Approved 2, refused 0');
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'Approved: Conference trip to Japan from Alice Kim for HR',
    );
    await checkPage(page, 'inbox-bulk-results');
    expect(await approvalOf(first.id, 'hr')).toBe('approved');
    expect(await approvalOf(other.id, 'hr')).toBe('approved');
    await expect(page.locator('#count-total').textContent()).resolves.toBe('0');

    // from the inbox to the detail page, and decide there
    await page.goto('/app/inbox?destination=DE&type=conference');
    await page.getByRole('link', { name: 'Conference trip to Germany' }).first().click();
    await page.waitForURL(`**/app/requests/${elsewhere.id}`);
    await page.getByRole('radio', { name: 'Approve' }).check();
    await page.getByLabel(/^Conditions of an approval/).fill('Report back after the trip');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.waitForURL(/done=decided/);
    expect(await approvalOf(elsewhere.id, 'hr')).toBe('approved');

    // a refused item comes back with the API's message
    const refused = await page.evaluate(
      async (csrf) => {
        const body = new URLSearchParams({
          _csrf: csrf,
          item: '00000000-0000-4000-8000-000000000000|hr',
          confirmed: 'yes',
        });
        const r = await fetch('/app/inbox/bulk', { method: 'POST', body });
        return { status: r.status, text: await r.text() };
      },
      (await page.locator('input[name=_csrf]').first().getAttribute('value'))!,
    );
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('Approved 0, refused 1');
    await context.close();
  });

  it('should let an approver decide from the email link page', async () => {
    await http.request('DELETE', '/dev/mailbox');
    const view = await submit('alice@example.com', requestBody('conference', { destinationCountry: 'SG' }));
    const link = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr@example.com')).body;
      return mails
        .flatMap((m) => m.links as string[])
        .find((l) => l.includes('/approvals/') && claims(l).rid === view.id);
    }, 'the approval email to hr');

    const context = await pages.browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(link);
    await expect(page.locator('h1').textContent()).resolves.toBe('Decide for HR');
    await checkPage(page, 'email-link-decision');
    await page.getByRole('radio', { name: 'Approve' }).check();
    await page.getByLabel(/^Comment/).fill('Fine by HR');
    await page.getByRole('button', { name: 'Record my decision' }).click();
    await page.getByText('Decision recorded').first().waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('You approved this request for HR');
    await checkPage(page, 'email-link-recorded');
    expect(await approvalOf(view.id, 'hr')).toBe('approved');
    await context.close();
  });

  it('should set a delegation (after a field error) and remove it through the page', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    await page.getByRole('link', { name: 'Delegation while I am away' }).click();
    await page.waitForURL('**/app/delegation');
    await expect(page.locator('#current-delegation').textContent()).resolves.toContain('no delegation');
    await checkPage(page, 'delegation');

    // Not a member of hr, and for longer than the policy allows: both said in words, beside their fields.
    await page.getByLabel("Stand-in's email").fill('carol@example.com');
    await page.getByLabel('From').fill(daysFromNow(0));
    await page.getByLabel('Until').fill(daysFromNow(60));
    await page.getByRole('button', { name: 'Save delegation' }).click();
    await expect(page.locator('#e-delegateEmail').textContent()).resolves.toContain(
      'carol@example.com is not a member or lead of hr',
    );
    await expect(page.locator('#e-until').textContent()).resolves.toContain('at most 30 days');
    await expect(page.getByLabel("Stand-in's email").getAttribute('aria-invalid')).resolves.toBe('true');

    await page.getByLabel("Stand-in's email").fill('hr-lead@example.com');
    await page.getByLabel('From').fill(daysFromNow(10));
    await page.getByLabel('Until').fill(daysFromNow(5));
    await page.getByRole('button', { name: 'Save delegation' }).click();
    await expect(page.locator('#e-until').textContent()).resolves.toContain('until must not be before from');
    await expect(page.getByLabel('Until').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel("Stand-in's email").inputValue()).resolves.toBe('hr-lead@example.com');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('until');
    await checkPage(page, 'delegation-errors');

    await page.getByLabel('Until').fill(daysFromNow(14));
    await page.getByRole('button', { name: 'Save delegation' }).click();
    await page.waitForURL(/done=set/);
    await expect(page.locator('#current-delegation').textContent()).resolves.toContain('hr-lead@example.com');
    expect((await http.as('hr@example.com', 'GET', '/api/me/delegation')).body.delegation).toMatchObject({
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(10),
      until: daysFromNow(14),
    });
    await checkPage(page, 'delegation-set');

    await page.getByRole('button', { name: 'Remove delegation' }).click();
    await page.waitForURL(/done=removed/);
    await expect(page.locator('#current-delegation').textContent()).resolves.toContain('no delegation');
    expect((await http.as('hr@example.com', 'GET', '/api/me/delegation')).body.delegation).toBeNull();
    await context.close();
  });

  it('should let the custodian deposit a passport, hand it out after an approval with the identity checked, and mark it returned', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'custodian@example.com');
    expect(new URL(page.url()).pathname).toBe('/app/custody');
    await checkPage(page, 'custody');

    await page.getByLabel("Employee's email").fill('carol@example.com');
    await page.getByLabel('Passport number').fill('12');
    // the issuing country by its name, from the same picker the request form has
    await page.getByLabel('Issuing country').fill('South Korea');
    await page.getByLabel('Expiry date').fill(daysFromNow(1000));
    await page.getByRole('button', { name: 'Record deposit' }).click();
    await expect(page.locator('#e-passportNumber').textContent()).resolves.toContain('6 to 20 letters and digits');
    await expect(page.getByLabel('Passport number').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel("Employee's email").inputValue()).resolves.toBe('carol@example.com');
    await expect(page.getByLabel('Issuing country').inputValue()).resolves.toBe('South Korea');
    await checkPage(page, 'custody-deposit-errors');

    await page.getByLabel('Passport number').fill('M70312555');
    await page.getByRole('button', { name: 'Record deposit' }).click();
    await page.waitForURL(/done=deposited/);
    await page.getByRole('link', { name: /In custody/ }).click();
    await page.waitForURL(/group=in_custody/);
    const row = page.locator('#passports tbody tr', { hasText: 'carol@example.com' });
    await expect(row.textContent()).resolves.toContain('555');
    await expect(row.textContent()).resolves.toContain('(South Korea)');
    await expect(page.locator('main').textContent()).resolves.not.toContain('M70312555');

    // a passport release, approved through the API, makes it ready for hand-out
    const release = await submit('carol@example.com', requestBody('passport_release'));
    for (let round = 0; round < 5; round++) {
      const view = (await http.as('carol@example.com', 'GET', `/api/requests/${release.id}`)).body;
      if (view.status !== 'pending') break;
      const open = view.stages.find((s: any) => s.status === 'pending') ?? view.stages[0];
      for (const a of open.approvals.filter((x: any) => x.status === 'pending')) {
        await http.as(MEMBER[a.party], 'POST', `/api/requests/${release.id}/decisions`, {
          party: a.party,
          decision: 'approve',
        });
      }
    }
    await eventually(async () => {
      const items = (await http.as('custodian@example.com', 'GET', '/api/passports?employee=carol@example.com')).body
        .items;
      return items[0]?.status === 'ready_for_hand_out';
    }, 'the passport to be ready for hand-out');
    await page.getByRole('link', { name: /Ready for hand-out/ }).click();
    await page.waitForURL(/group=ready_for_hand_out/);
    await checkPage(page, 'custody-ready-for-hand-out');
    await row.getByLabel('Identity checked against the passport').check();
    await row.getByRole('button', { name: /^Hand out/ }).click();
    await page.waitForURL(/done=handed_out/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('hand-out was recorded');
    // due back a week after the trip's return, five weeks away: released, but not "due back soon"
    await page.getByRole('link', { name: 'Due back within 7 days' }).click();
    await page.waitForURL(/group=due_back/);
    await expect(page.locator('main').textContent()).resolves.toContain('No passports in this group.');
    await page.getByRole('link', { name: 'Released' }).click();
    await page.waitForURL(/group=released/);
    await expect(row.textContent()).resolves.toContain('Handed out');
    // the group cards lost their counts with the paged ledger: the table's caption counts the page
    await expect(page.locator('#passports caption').textContent()).resolves.toContain('Released: 1 passport');
    await checkPage(page, 'custody-released');

    await row.getByRole('button', { name: /^Mark returned/ }).click();
    await page.waitForURL(/done=returned/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('back in custody');
    const [passport] = (await http.as('custodian@example.com', 'GET', '/api/passports?employee=carol@example.com')).body
      .items;
    expect(passport.status).toBe('in_custody');
    await context.close();
  });

  it('should page the inbox: More follows the cursor with the filters, and bulk approval works on any page', async () => {
    // one real request to France (a destination no other test here uses), then 60 pending hr approvals
    // written into the projection, dated after it: the real one is the last of the second page
    const real = await submit('alice@example.com', requestBody('conference', { destinationCountry: 'FR' }));
    await eventually(async () => (await approvalOf(real.id, 'hr')) === 'pending', 'the request pending for hr');
    await insertPendingApprovals(pages.system.app.get(DataSource), {
      count: 60,
      party: 'hr',
      requester: 'carol@example.com',
      from: '2099-03-01T00:00:00.000Z',
      prefix: 'cccccccc',
    });
    const values = (page: Page) =>
      page.locator('input[name=item]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    await page.goto('/app/inbox?party=hr&destination=fr&order=newest');
    await expect(page.locator('#count-total').textContent()).resolves.toBe('61');
    expect(await values(page)).toEqual(Array.from({ length: 50 }, (_, i) => `${loadRequestId('cccccccc', 59 - i)}|hr`));

    await page.getByRole('link', { name: 'More' }).click();
    await page.waitForURL(/cursor=/);
    expect(new URL(page.url()).searchParams.get('destination')).toBe('FR');
    await expect(page.locator('#count-total').textContent()).resolves.toBe('61');
    expect(await values(page)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `${loadRequestId('cccccccc', 9 - i)}|hr`),
      `${real.id}|hr`,
    ]);
    await expect(page.getByRole('link', { name: 'More' }).count()).resolves.toBe(0);
    await checkPage(page, 'inbox-second-page');

    // bulk approval from the second page, the result named from that page
    await page.getByRole('checkbox', { name: /from Alice Kim for HR$/ }).check();
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await page.waitForURL('**/app/inbox/bulk');
    await page.getByRole('button', { name: 'Approve this one' }).click();
    await page.getByRole('heading', { name: /^Approved/ }).waitFor();
    await expect(page.locator('#h-results').textContent()).resolves.toBe('Approved 1, refused 0');
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'Approved: Conference trip to France from Alice Kim for HR',
    );
    expect(await approvalOf(real.id, 'hr')).toBe('approved');
    await expect(page.locator('#count-total').textContent()).resolves.toBe('60');
    await page.getByRole('link', { name: 'Back to the first page' }).click();
    await expect(page.locator('tbody tr').count()).resolves.toBe(50);
    await context.close();
  });

  it('should keep the approver and custodian pages to their roles', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    for (const path of ['/app/inbox', '/app/delegation', '/app/custody']) {
      const res = await page.goto(path);
      expect({ path, status: res?.status() }).toEqual({ path, status: 403 });
    }
    await context.close();
  });
});

function claims(link: string): { rid: string } {
  return JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());
}
