import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { checkPage, signedIn, usePagesSystem } from '../support/browser';

const REQUESTER = 'carol@example.com';
const REQUESTER_NAME = 'Carol Lee';
const HR = 'hr@example.com';

/** The inbox as a work queue (issue 13): when each party was asked, what falls due, and a bulk approval that says what it will do. */
describe('the inbox as a work queue, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  async function submitted(): Promise<{ id: string; reference: string }> {
    const res = await http.as(REQUESTER, 'POST', '/api/requests', requestBody('conference'));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await eventually(async () => {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
      return view.stages.some((s: any) => s.approvals.some((a: any) => a.party === 'hr' && a.status === 'pending'));
    }, 'hr asked');
    const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
    return { id, reference: view.reference as string };
  }

  it('should show when each party was asked and what falls due, mark what is due soon, and offer only my parties', async () => {
    const calm = await submitted();
    // a policy whose hr reminder falls due within the hour: requests started on it are due soon
    const policy = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    const published = await http.as('admin@example.com', 'PUT', '/api/policy', {
      ...policy,
      parties: {
        ...policy.parties,
        hr: {
          ...policy.parties.hr,
          deadlines: { reminderAfter: '1h', reminderEvery: '1h', escalateAfter: '2h', expireAfter: '14d' },
        },
      },
    });
    expect(published.status).toBe(200);
    const urgent = await submitted();

    const api = await http.as(HR, 'GET', '/api/approvals/inbox');
    const item = api.body.items.find((i: any) => i.requestId === urgent.id);
    expect(Date.now() - Date.parse(item.askedAt)).toBeLessThan(10 * 60_000);
    expect(Date.parse(item.reminderDueAt) - Date.parse(item.askedAt)).toBe(3_600_000);
    expect(Date.parse(item.escalationDueAt) - Date.parse(item.askedAt)).toBe(7_200_000);

    const hr = await signedIn(pages.browser, pages.system.baseUrl, HR);
    await hr.page.goto('/app/inbox');
    const row = (id: string) => hr.page.locator('tr', { has: hr.page.locator(`a[href="/app/requests/${id}"]`) });
    const urgentText = (await row(urgent.id).textContent())!;
    expect(urgentText).toMatch(/Asked \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(urgentText).toMatch(/Reminder due \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(urgentText).toContain('Due soon');
    const calmText = (await row(calm.id).textContent())!;
    expect(calmText).toMatch(/Reminder due/);
    expect(calmText).not.toContain('Due soon');

    // a row opens onto everything the requester gave, in words (the decision packet's rows)
    const packet = row(urgent.id).locator('details.packet');
    await packet.locator('summary').click();
    const given = (await packet.textContent())!;
    expect(given).toContain('What the requester gave');
    expect(given).toMatch(/Event\s*NeurIPS/);
    expect(given).toMatch(/Presenting\s*Yes, presents at the event/);
    expect(given).toMatch(/Technology\s*Large models/);
    expect(given).not.toMatch(/large_models|presentation_materials/);

    // only the parties hr@ is in can be filtered on
    const options = await hr.page.locator('#f-party option').allTextContents();
    expect(options).toEqual(['Any', 'HR']);

    // due soonest first puts the urgent one before the calm one, though it is newer
    await hr.page.selectOption('#f-order', 'due');
    await hr.page.getByRole('button', { name: 'Filter' }).click();
    const links = await hr.page
      .locator('tbody a[href^="/app/requests/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.indexOf(`/app/requests/${urgent.id}`)).toBeLessThan(links.indexOf(`/app/requests/${calm.id}`));
    await checkPage(hr.page, 'inbox-work-queue');
    await hr.context.close();
  });

  it('should select all, then confirm a bulk approval that lists what it will approve before it acts', async () => {
    const first = await submitted();
    const second = await submitted();
    const hr = await signedIn(pages.browser, pages.system.baseUrl, HR);
    await hr.page.goto('/app/inbox');
    await hr.page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    const boxes = hr.page.locator('tbody input[type="checkbox"]');
    expect(await boxes.count()).toBeGreaterThanOrEqual(2);
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true);
    // keep only the two of this test
    await hr.page.getByRole('checkbox', { name: 'Select all on this page' }).uncheck();
    for (const r of [first, second]) {
      await hr.page.locator(`input[name="item"][value="${r.id}|hr"]`).check();
    }
    await hr.page.getByRole('button', { name: 'Approve selected' }).click();

    // the confirmation: exactly what will be approved, and nothing decided yet
    await hr.page.getByRole('heading', { name: 'Approve these 2?' }).waitFor();
    const listed = await hr.page.locator('#to-approve li').allTextContents();
    expect(listed).toHaveLength(2);
    for (const r of [first, second]) {
      expect(listed.some((t) => t.includes(r.reference) && t.includes(REQUESTER_NAME) && t.includes('HR'))).toBe(true);
    }
    for (const r of [first, second]) {
      expect((await http.as(REQUESTER, 'GET', `/api/requests/${r.id}`)).body.status).not.toBe('approved');
    }
    await checkPage(hr.page, 'inbox-bulk-confirm');

    await hr.page.getByRole('button', { name: 'Approve these 2' }).click();
    await hr.page.getByRole('heading', { name: /Approved 2, refused 0/ }).waitFor();
    for (const r of [first, second]) {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${r.id}`)).body;
      expect(view.stages.flatMap((s: any) => s.approvals).find((a: any) => a.party === 'hr').status).toBe('approved');
    }
    await hr.context.close();
  });
});

describe('the requester told of a submission', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  it('should email the requester once that the request was submitted, with its reference and a link to it', async () => {
    const res = await http.as(
      REQUESTER,
      'POST',
      '/api/requests',
      requestBody('conference', { destinationCountry: 'JP' }),
    );
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const reference = await eventually(
      async () => (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.reference as string | undefined,
      'a reference',
    );
    const mail = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${REQUESTER}`)).body;
      return mails.find((m) => m.subject.includes(reference) && /submitted/i.test(m.subject));
    }, 'the submitted email');
    expect(mail.subject).toContain('Conference trip to Japan');
    expect(mail.text).toContain(`/app/requests/${id}`);
    expect(mail.text).toContain(REQUESTER_NAME.split(' ')[0]);
    // once: a later look finds the one email still
    await new Promise((r) => setTimeout(r, 1_000));
    const all = (await http.request<any[]>('GET', `/dev/mailbox?to=${REQUESTER}`)).body.filter(
      (m) => m.subject.includes(reference) && /submitted/i.test(m.subject),
    );
    expect(all).toHaveLength(1);
  });

  it('should show an approver the person’s earlier requests and their outcomes on the request page', async () => {
    const earlier = await http.as(
      REQUESTER,
      'POST',
      '/api/requests',
      requestBody('conference', { destinationCountry: 'KR' }),
    );
    expect(earlier.status).toBe(201);
    const earlierRef = await eventually(
      async () =>
        (await http.as(REQUESTER, 'GET', `/api/requests/${earlier.body.id}`)).body.reference as string | undefined,
      'a reference',
    );
    expect((await http.as(REQUESTER, 'POST', `/api/requests/${earlier.body.id}/withdraw`, {})).status).toBe(200);
    const now = await http.as(REQUESTER, 'POST', '/api/requests', requestBody('conference'));
    expect(now.status).toBe(201);
    await eventually(
      async () => (await http.as(HR, 'GET', `/api/approvals/inbox?requestId=${now.body.id}`)).body.items.length === 1,
      'hr asked',
    );
    const hr = await signedIn(pages.browser, pages.system.baseUrl, HR);
    await hr.page.goto(`/app/requests/${now.body.id}`);
    const section = hr.page.locator('section[aria-labelledby="h-earlier"]');
    expect(await section.locator('h2').textContent()).toContain(`Earlier requests of ${REQUESTER_NAME}`);
    const text = (await section.textContent())!;
    expect(text).toContain(earlierRef);
    expect(text).toContain('Conference trip to South Korea');
    expect(text).toContain('Withdrawn');
    await checkPage(hr.page, 'request-packet-earlier');
    await hr.context.close();
  });
});

describe('tables on a phone, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  it('should stack the inbox and list rows as cards under 600 px, every action on screen, and answer an unknown page with a page', async () => {
    const long = 'Supercalifragilisticexpialidocious'.repeat(6);
    const res = await http.as(REQUESTER, 'POST', '/api/requests', requestBody('conference', { purpose: long }));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await eventually(
      async () => (await http.as(HR, 'GET', `/api/approvals/inbox?requestId=${id}`)).body.items.length === 1,
      'hr asked',
    );
    const phone = { width: 390, height: 844 };
    for (const [who, path] of [
      [HR, '/app/inbox'],
      [REQUESTER, '/app/requests'],
    ] as const) {
      const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, who, phone);
      await page.goto(path);
      const cell = page.locator('table.cards tbody tr').first().locator('td').first();
      expect(await cell.evaluate((td) => getComputedStyle(td).display)).toBe('block');
      // each cell says what it is, the header row is for screen readers only
      expect(await cell.getAttribute('data-label')).toBeTruthy();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      for (const control of await page
        .locator('main button, main a, main input:not([type=hidden]), main select')
        .all()) {
        if (!(await control.isVisible())) continue;
        const box = (await control.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(391);
      }
      await checkPage(page, `${path.split('/').pop()}-phone-cards`);
      await context.close();
    }

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER, phone);
    const missing = await page.goto('/app/no-such-page');
    expect(missing!.status()).toBe(404);
    expect(missing!.headers()['content-type']).toContain('text/html');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    await context.close();
  });
});
