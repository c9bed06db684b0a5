import { eventually } from '../support/eventually';
import { daysFromNow, depositPassport } from '../support/factories';
import { signedIn, type Page, checkPage, usePagesSystem } from '../support/browser';

/** An employee does everything through the pages in real Chromium: each request type, errors, preview, amend, withdraw. */
describe('employee pages in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  beforeAll(async () => {
    await depositPassport(http, 'carol@example.com');
  });

  async function fillCommon(page: Page, destination: string): Promise<void> {
    await page.getByLabel('Destination country').fill(destination);
    await page.getByLabel('Departure').fill(daysFromNow(30));
    await page.getByLabel('Return').fill(daysFromNow(37));
    await page.getByLabel('Purpose').fill('Work that needs clearance');
  }

  it('should send a signed-out visitor to sign in and back to the page asked for', async () => {
    const context = await pages.browser.newContext({ baseURL: pages.system.baseUrl });
    const page = await context.newPage();
    await page.goto('/app/requests/new');
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await checkPage(page, 'sign-in');
    await page.getByRole('button', { name: 'Alice Kim' }).click();
    await page.waitForURL('**/app/requests/new');
    await context.close();
  });

  it('should show field-level errors from the server and keep what was typed', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    await page.goto('/app/requests/new?type=conference');
    // required fields are marked beside their label (and required for assistive technology)
    for (const field of ['Destination country', 'Departure', 'Return', 'Purpose', 'Event name']) {
      await expect(page.getByLabel(field, { exact: true }).getAttribute('required')).resolves.toBe('');
      await expect(page.locator(`label.required:text-is("${field}")`).count()).resolves.toBe(1);
    }
    await expect(page.locator('label.required:text-is("I am presenting")').count()).resolves.toBe(0);
    await page.getByLabel('Destination country').fill('U5');
    await page.getByRole('button', { name: 'Submit request' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('Destination country: choose a country from the list');
    await expect(page.getByLabel('Destination country').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Destination country').inputValue()).resolves.toBe('U5');
    await checkPage(page, 'request-form-errors');
    await context.close();
  });

  it('should preview the parties, submit a conference trip and show its timeline', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    await page.goto('/app/requests/new');
    await page.getByRole('link', { name: 'Conference trip' }).click();
    await fillCommon(page, 'US');
    await page.getByLabel('Event name').fill('Example Conf');
    await page.getByLabel('I am presenting').check();
    await page.getByLabel('Large models').check();
    await page.getByLabel('Presentation materials').check();
    await page.getByLabel('Organisation 1: name').fill('Example Org');
    await page.getByLabel('Organisation 1: country', { exact: true }).fill('US');
    // three rows to begin with, and another on request
    await expect(page.getByLabel('Organisation 4: name').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Add another organisation' }).click();
    await expect(page.getByLabel('Organisation 4: name').evaluate((e) => e === document.activeElement)).resolves.toBe(
      true,
    );
    await page.getByLabel('Organisation 4: name').fill('Beispiel GmbH');
    await page.getByLabel('Organisation 4: country', { exact: true }).fill('Germany');
    const preview = page.locator('#preview');
    await preview.getByText('Stage 1').waitFor();
    await expect(preview.textContent()).resolves.toMatch(/HR.*Security|Security.*HR/s);
    await checkPage(page, 'request-form');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('submitted');
    await expect(page.locator('.timeline').textContent()).resolves.toContain('Submitted under policy version 1');
    // the human reference, not the UUID, names the request on its page and in the list
    const submittedId = new URL(page.url()).pathname.split('/').pop()!;
    expect((await http.as('alice@example.com', 'GET', `/api/requests/${submittedId}`)).body.counterparties).toEqual([
      { name: 'Example Org', country: 'US' },
      { name: 'Beispiel GmbH', country: 'DE' },
    ]);
    const reference = (await page.locator('#reference').textContent())!.trim();
    expect(reference).toMatch(/^CLR-\d{4}-\d{6}$/);
    await expect(page.title()).resolves.toContain(reference);
    await checkPage(page, 'request-detail');
    await page.goto('/app/requests');
    await expect(page.locator('table').textContent()).resolves.toContain('Waiting on');
    await expect(page.locator('table').textContent()).resolves.toContain(reference);
    await checkPage(page, 'my-requests');
    await context.close();
  });

  it('should submit every other request type through its form', async () => {
    const cases: { type: string; who: string; fill: (page: Page) => Promise<void> }[] = [
      {
        type: 'overseas_assignment',
        who: 'alice@example.com',
        fill: async (page) => {
          await page.getByLabel('Host entity').fill('Example GmbH');
          await page.getByLabel('Role there').fill('Engineer');
          await page.getByLabel('Months').fill('6');
        },
      },
      {
        type: 'ma_participation',
        who: 'alice@example.com',
        fill: async (page) => {
          await page.getByLabel('Deal name').fill('Project Falcon');
          await page.getByLabel('Counterparty role').selectOption('target');
          await page.getByLabel('Your involvement').selectOption('due_diligence');
        },
      },
      {
        type: 'passport_release',
        who: 'carol@example.com',
        fill: async (page) => {
          await page.getByLabel('Reason', { exact: true }).fill('Visa appointment');
        },
      },
      {
        type: 'departure_abroad',
        who: 'dave@example.com',
        fill: async (page) => {
          await page.getByLabel('New employer').fill('Example Abroad Ltd');
          await page.getByLabel('Last working day').fill(daysFromNow(29));
        },
      },
    ];
    for (const { type, who, fill } of cases) {
      const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, who);
      await page.goto(`/app/requests/new?type=${type}`);
      await fillCommon(page, 'DE');
      await page.getByLabel('General software').check();
      await page.getByLabel('None', { exact: true }).last().check();
      await fill(page);
      await page.getByRole('button', { name: 'Submit request' }).click();
      await page
        .waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/, { timeout: 30_000 })
        .catch(async (error) => {
          throw new Error(`${type}: ${String(error)}\n${await page.locator('main').innerText()}`);
        });
      const id = new URL(page.url()).pathname.split('/').pop()!;
      const view = await http.as(who, 'GET', `/api/requests/${id}`);
      expect(view.body).toMatchObject({ type, status: 'pending', requester: { email: who } });
      await context.close();
    }
  });

  it('should offer the approved trips a passport release may serve, by reference and destination, not by id', async () => {
    // carol's conference to Japan, approved by its party through the API
    const trip = await http.as('carol@example.com', 'POST', '/api/requests', {
      type: 'conference',
      destinationCountry: 'JP',
      departureDate: daysFromNow(40),
      returnDate: daysFromNow(44),
      purpose: 'Workshop',
      counterparties: [],
      technologyAreas: ['general_software'],
      dataCategories: ['none'],
      details: { eventName: 'Tokyo Workshop', presenting: false },
    });
    expect(trip.status).toBe(201);
    await eventually(async () => {
      const view = (await http.as('carol@example.com', 'GET', `/api/requests/${trip.body.id}`)).body;
      if (view.status === 'approved') return true;
      for (const a of view.stages.flatMap((st: any) => st.approvals).filter((a: any) => a.status === 'pending')) {
        await http.as(
          `${a.party === 'data_governance' ? 'datagov' : a.party}@example.com`,
          'POST',
          `/api/requests/${trip.body.id}/decisions`,
          {
            party: a.party,
            decision: 'approve',
          },
        );
      }
      return false;
    }, 'the trip approved');

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'carol@example.com');
    await page.goto('/app/requests/new?type=passport_release');
    const trips = page.getByLabel('The approved trip this passport is for (if any)');
    const offered = await trips.locator('option').allTextContents();
    expect(offered[0]).toBe('None');
    const option = offered.find((o) => o.includes(trip.body.reference));
    expect(option).toMatch(/Conference trip to Japan/);
    expect(offered.join(' ')).not.toContain(trip.body.id);
    await checkPage(page, 'passport-release-form');
    await fillCommon(page, 'JP');
    await page.getByLabel('General software').check();
    await page.getByLabel('None', { exact: true }).last().check();
    await page.getByLabel('Reason', { exact: true }).fill('The Tokyo workshop');
    await trips.selectOption({ label: option! });
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/, { timeout: 30_000 });
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const release = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
    expect(release.details).toMatchObject({ travelRequestId: trip.body.id });
    await context.close();
  });

  it('should let an approver ask for changes and the employee amend, then withdraw', async () => {
    const alice = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    await alice.page.goto('/app/requests/new?type=conference');
    await fillCommon(alice.page, 'FR');
    await alice.page.getByLabel('Event name').fill('Paris Summit');
    await alice.page.getByLabel('General software').check();
    await alice.page.getByLabel('None', { exact: true }).last().check();
    await alice.page.getByRole('button', { name: 'Submit request' }).click();
    await alice.page.waitForURL(/done=submitted/);
    const id = new URL(alice.page.url()).pathname.split('/').pop()!;

    const hr = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    await hr.page.goto(`/app/requests/${id}`);
    await hr.page.getByRole('radio', { name: 'Request changes' }).check();
    await hr.page.getByLabel(/^Comment/).fill('Please name the sessions you will attend');
    await checkPage(hr.page, 'decide-from-detail');
    await hr.page.getByRole('button', { name: 'Record decision' }).click();
    await hr.page.waitForURL(/done=decided/);
    await hr.context.close();

    await alice.page.goto(`/app/requests/${id}`);
    await expect(alice.page.locator('.timeline').textContent()).resolves.toContain('HR asked for changes');
    await alice.page.getByRole('link', { name: 'Amend and resubmit' }).click();
    await expect(alice.page.getByLabel('Event name').inputValue()).resolves.toBe('Paris Summit');
    await alice.page.getByLabel('Purpose').fill('Attend the keynote and two sessions on compilers');
    await alice.page.getByRole('button', { name: 'Send the amended request' }).click();
    await alice.page.waitForURL(/done=amended/);
    expect((await http.as('alice@example.com', 'GET', `/api/requests/${id}`)).body.status).toBe('pending');

    await alice.page.getByRole('link', { name: 'Withdraw request' }).click();
    await alice.page.getByRole('button', { name: 'Yes, withdraw the request' }).click();
    await alice.page.waitForURL(/done=withdrawn/);
    expect((await http.as('alice@example.com', 'GET', `/api/requests/${id}`)).body.status).toBe('withdrawn');
    await alice.context.close();
  });

  it('should refuse a form posted without its CSRF token and record nothing', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    const before = (await http.as('alice@example.com', 'GET', '/api/requests?mine=true')).body.items.length;
    const status = await page.evaluate(async () => {
      const r = await fetch('/app/requests/new?type=conference', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'destinationCountry=US&purpose=x',
      });
      return r.status;
    });
    expect(status).toBe(403);
    expect((await http.as('alice@example.com', 'GET', '/api/requests?mine=true')).body.items.length).toBe(before);
    await context.close();
  });
});
