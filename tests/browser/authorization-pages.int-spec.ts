import { daysFromNow, requestBody } from '../support/factories';
import { signedIn, checkPage, usePagesSystem } from '../support/browser';

/** The authorization tracker on the request page, in real Chromium: the requester records the authority's grant. */
describe('authorization tracker in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  it("should show a core employee's exit approval on the request and approve the request once she records the grant", async () => {
    const body = requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: false },
    });
    const view = (await http.as('alice@example.com', 'POST', '/api/requests', body)).body;
    for (const [email, party] of [
      ['hr@example.com', 'hr'],
      ['security@example.com', 'security'],
    ]) {
      expect(
        (await http.as(email, 'POST', `/api/requests/${view.id}/decisions`, { party, decision: 'approve' })).status,
      ).toBe(200);
    }

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    await page.goto(`/app/requests/${view.id}`);
    await expect(page.locator('.badge.s-awaiting_authorization').first().textContent()).resolves.toBe(
      'Awaiting external authorization',
    );
    const tracker = page.locator('#authorization-official_exit_approval');
    await expect(tracker.textContent()).resolves.toContain('Official exit approval');
    await expect(tracker.textContent()).resolves.toContain('Required');
    await checkPage(page, 'request-authorizations');

    await page.getByLabel('What the authority did').selectOption('granted');
    await page.getByLabel('Reference number').fill('EXIT-2027-0042');
    await page.getByLabel('Valid until (through the return date)').fill(daysFromNow(60));
    await page.getByRole('button', { name: 'Record Official exit approval' }).click();
    await page.waitForURL(/\?done=authorization/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('recorded');
    await expect(tracker.textContent()).resolves.toContain('Granted');
    await expect(tracker.textContent()).resolves.toContain('EXIT-2027-0042');
    await expect(page.locator('.timeline').textContent()).resolves.toContain('Official exit approval: granted');
    expect((await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`)).body.status).toBe('approved');

    // Someone who reviews it sees the tracker, without the form.
    const hr = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    await hr.page.goto(`/app/requests/${view.id}`);
    await expect(hr.page.locator('#authorization-official_exit_approval').textContent()).resolves.toContain('Granted');
    await expect(hr.page.getByRole('button', { name: 'Record Official exit approval' }).count()).resolves.toBe(0);
    await hr.context.close();
    await context.close();
  });

  it("should show the draft policy's impact on past requests before publishing", async () => {
    const carol = (
      await http.as(
        'carol@example.com',
        'POST',
        '/api/requests',
        requestBody('conference', { technologyAreas: ['none'], dataCategories: ['none'] }),
      )
    ).body;
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'admin@example.com');
    await page.goto('/app/admin/policy');
    const editor = page.getByLabel('Policy (JSON)');
    const draft = JSON.parse(await editor.inputValue());
    draft.authorizations[0].appliesWhen = { tierIn: ['standard', 'core', 'strategic'] };
    await editor.fill(JSON.stringify(draft, null, 2));
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.locator('#policy-impact').textContent()).resolves.toMatch(/[1-9]\d* of \d+ request/);
    const row = page.locator('#policy-diff tr', { hasText: carol.reference });
    await expect(row.textContent()).resolves.toContain('needs Official exit approval');
    await checkPage(page, 'admin-policy-impact');
    await context.close();
  });

  it('should list on the admin board what waits for an authority', async () => {
    const view = (
      await http.as(
        'alice@example.com',
        'POST',
        '/api/requests',
        requestBody('conference', {
          technologyAreas: ['none'],
          dataCategories: ['none'],
          details: { eventName: 'Board Conf', presenting: false },
        }),
      )
    ).body;
    for (const [email, party] of [
      ['hr@example.com', 'hr'],
      ['security@example.com', 'security'],
    ]) {
      await http.as(email, 'POST', `/api/requests/${view.id}/decisions`, { party, decision: 'approve' });
    }
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'admin@example.com');
    await page.goto('/app/admin');
    await page.getByRole('link', { name: 'External authorizations' }).click();
    await page.waitForURL('**/app/admin/authorizations');
    const row = page.locator('#authorizations-board tr', { hasText: view.reference });
    await expect(row.textContent()).resolves.toContain('Official exit approval');
    await checkPage(page, 'admin-authorizations');
    await context.close();
  });
});
