import { eventually } from '../support/eventually';
import { depositPassport, requestBody } from '../support/factories';
import { checkPage, signedIn, usePagesSystem, type Page } from '../support/browser';

const REQUESTER = 'carol@example.com';
const CUSTODIAN = 'custodian@example.com';
const PHONE = { width: 390, height: 844 };
const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

/** Every visible control of the page's main part ends within the phone's width. */
async function everyControlOnScreen(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  for (const control of await page.locator('main button, main a, main input:not([type=hidden]), main select').all()) {
    if (!(await control.isVisible())) continue;
    const box = (await control.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width + 1);
  }
}

/** Custody, forms, error pages and lists on a phone and in words (issue 13). */
describe('phone layout and words, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  async function submit(overrides: Record<string, unknown>, type = 'conference' as const): Promise<string> {
    const res = await http.as(REQUESTER, 'POST', '/api/requests', requestBody(type, overrides));
    if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${res.text}`);
    return res.body.id as string;
  }

  it('should show the custody ledger as cards on a phone, the hand-out and "Mark returned" buttons on screen, dates as dates', async () => {
    await depositPassport(http, REQUESTER);
    const res = await http.as(REQUESTER, 'POST', '/api/requests', requestBody('passport_release'));
    expect(res.status).toBe(201);
    const release = res.body.id as string;
    for (let round = 0; round < 5; round++) {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${release}`)).body;
      if (view.status !== 'pending') break;
      const open = view.stages.find((s: any) => s.status === 'pending') ?? view.stages[0];
      for (const a of open.approvals.filter((x: any) => x.status === 'pending')) {
        await http.as(MEMBER[a.party], 'POST', `/api/requests/${release}/decisions`, {
          party: a.party,
          decision: 'approve',
        });
      }
    }
    await eventually(
      async () =>
        (await http.as(CUSTODIAN, 'GET', `/api/passports?employee=${REQUESTER}`)).body.items[0]?.status ===
        'ready_for_hand_out',
      'the passport ready for hand-out',
    );

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, CUSTODIAN, PHONE);
    const datesAsDates = async () => {
      const text = (await page.locator('main').textContent())!;
      expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}|UTC|T\d{2}:/);
      expect(await page.locator('#passports').textContent()).toMatch(/\d{4}-\d{2}-\d{2}/);
    };
    await page.goto('/app/custody?group=ready_for_hand_out');
    const card = page.locator('#passports tbody tr', { hasText: 'Carol Lee' });
    const cell = card.locator('td').first();
    expect(await cell.evaluate((td) => getComputedStyle(td).display)).toBe('block');
    expect(await cell.getAttribute('data-label')).toBe('Employee');
    const handOut = card.getByRole('button', { name: /^Hand out/ });
    await expect(handOut.isVisible()).resolves.toBe(true);
    await everyControlOnScreen(page);
    await datesAsDates();
    await checkPage(page, 'custody-phone-hand-out');

    // the identity check sits on the line of its label, and the custodian can act from the phone
    const tick = card.getByLabel('Identity checked against the passport');
    const box = (await tick.boundingBox())!;
    const words = await card.locator('form label').evaluate((label) => {
      const text = Array.from(label.childNodes).find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())!;
      const range = document.createRange();
      range.selectNodeContents(text);
      const r = Array.from(range.getClientRects()).find((rect) => rect.width > 1)!;
      return { y: r.y, height: r.height };
    });
    expect(box.y < words.y + words.height && words.y < box.y + box.height).toBe(true);
    await tick.check();
    await handOut.click();
    await page.waitForURL(/done=handed_out/);

    await page.goto('/app/custody?group=released');
    const returned = card.getByRole('button', { name: /^Mark returned/ });
    await expect(returned.isVisible()).resolves.toBe(true);
    expect(await card.textContent()).toContain('Handed out');
    expect(await card.textContent()).toContain('Due back');
    await everyControlOnScreen(page);
    await datesAsDates();
    await checkPage(page, 'custody-phone-released');
    await returned.click();
    await page.waitForURL(/done=returned/);
    await page.goto('/app/custody');
    await datesAsDates();
    await context.close();
  });

  it('should keep each "Data that crosses the border" checkbox on the line of its label at 390 px', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER, PHONE);
    await page.goto('/app/requests/new?type=conference');
    for (const group of ['#f-dataCategories', '#f-technologyAreas']) {
      const boxes = await page.locator(`${group} input[type=checkbox]`).all();
      expect(boxes.length).toBeGreaterThan(3);
      for (const checkbox of boxes) {
        const id = (await checkbox.getAttribute('id'))!;
        const box = (await checkbox.boundingBox())!;
        // the first line of the label's text: beside the checkbox, on its line
        const first = await page.locator(`label[for="${id}"]`).evaluate((label) => {
          const r = label.getClientRects()[0];
          return { x: r.x, y: r.y, height: r.height, text: label.textContent };
        });
        const sameLine = box.y < first.y + first.height && first.y < box.y + box.height;
        expect({ label: first.text, sameLine, rightOfBox: first.x >= box.x + box.width }).toEqual({
          label: first.text,
          sameLine: true,
          rightOfBox: true,
        });
      }
    }
    await everyControlOnScreen(page);
    await checkPage(page, 'request-form-phone-checkboxes');
    await context.close();
  });

  it('should answer a page the person may not open with a page in the app’s look, not JSON', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    for (const path of ['/app/custody', '/app/audit', '/app/admin']) {
      const res = (await page.goto(path))!;
      expect(res.status()).toBe(403);
      expect(res.headers()['content-type']).toContain('text/html');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not allowed');
      // the app's own frame: its header with the person signed in, and a way back
      await expect(page.locator('header').first().textContent()).resolves.toContain('Carol Lee');
      expect(await page.locator('main a').count()).toBeGreaterThan(0);
      expect(await page.locator('main').textContent()).not.toMatch(/statusCode|"message"|\{"/);
    }
    await checkPage(page, 'error-403');
    await context.close();
  });

  it('should copy a rejected request into a new, pre-filled request form', async () => {
    const id = await submit({
      destinationCountry: 'DE',
      purpose: 'Workshop on compilers',
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'CompilerDays', presenting: false },
    });
    await eventually(
      async () => (await http.as('hr@example.com', 'GET', `/api/approvals/inbox?requestId=${id}`)).body.items.length,
      'hr asked',
    );
    const rejected = await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'reject',
      comment: 'Not this quarter',
    });
    expect(rejected.body.status).toBe('rejected');

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await page.goto(`/app/requests/${id}`);
    await page.getByRole('link', { name: 'Copy as a new request' }).click();
    await page.waitForURL(`**/app/requests/${id}/copy`);
    expect(await page.getByLabel('Purpose').inputValue()).toBe('Workshop on compilers');
    expect(await page.getByLabel('Event name').inputValue()).toBe('CompilerDays');
    expect(await page.getByLabel('I am presenting').isChecked()).toBe(false);
    expect(await page.locator('main').textContent()).toContain('Copied from');
    await checkPage(page, 'copy-rejected');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page
      .waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/, { timeout: 15_000 })
      .catch(async (error) => {
        throw new Error(`${String(error)}\n${await page.locator('main').innerText()}`);
      });
    const copyId = new URL(page.url()).pathname.split('/').pop()!;
    expect(copyId).not.toBe(id);
    const copy = (await http.as(REQUESTER, 'GET', `/api/requests/${copyId}`)).body;
    expect(copy).toMatchObject({ status: 'pending', purpose: 'Workshop on compilers', destinationCountry: 'DE' });
    expect(copy.details.eventName).toBe('CompilerDays');
    // the rejected request stays rejected
    expect((await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.status).toBe('rejected');
    await context.close();
  });

  it('should name the parties a request waits on in words in the list', async () => {
    const id = await submit({
      destinationCountry: 'NL',
      purpose: 'Talk at a meetup',
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Meetup', presenting: true },
    });
    const pending = await eventually(async () => {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
      const parties = view.stages
        .flatMap((s: any) => s.approvals)
        .filter((a: any) => a.status === 'pending')
        .map((a: any) => a.party as string)
        .sort();
      return parties.length === 2 ? parties : false;
    }, 'two parties asked');
    expect(pending).toEqual(['data_governance', 'hr']);
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await page.goto('/app/requests');
    const row = page
      .locator('tbody tr', { hasText: 'Talk at a meetup' })
      .or(page.locator('tbody tr', { has: page.locator(`a[href="/app/requests/${id}"]`) }));
    const text = (await row.first().textContent())!;
    expect(text).toMatch(/Waiting on (Data governance, HR|HR, Data governance)/);
    expect(text).not.toMatch(/data_governance|data governance, hr|Waiting on hr/);
    await context.close();
  });
});
