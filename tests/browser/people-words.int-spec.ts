import { eventually } from '../support/eventually';
import { daysFromNow, requestBody, sendBack } from '../support/factories';
import { checkPage, signedIn, usePagesSystem, type Page } from '../support/browser';

const REQUESTER = 'carol@example.com';
const REQUESTER_NAME = 'Carol Lee';
const TODAY = new Date().toISOString().slice(0, 10);

async function mainText(page: Page): Promise<string> {
  return (await page.locator('main').textContent()) ?? '';
}

/** Pages speak the people's language: countries and people by name, dates that tell rows apart (issue 13). */
describe('pages in people’s words, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  async function submit(overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await http.as(REQUESTER, 'POST', '/api/requests', requestBody('conference', overrides));
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function pendingFor(id: string, party: string): Promise<void> {
    await eventually(async () => {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
      return view.stages.some((s: any) => s.approvals.some((a: any) => a.party === party && a.status === 'pending'));
    }, `${party} asked`);
  }

  it('should name countries and people, and show the submitted date, in lists, titles, custody and change lists', async () => {
    const id = await submit({ destinationCountry: 'JP', counterparties: [{ name: 'Globex', country: 'DE' }] });
    await pendingFor(id, 'hr');

    const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await requester.page.goto('/app/requests');
    const row = requester.page.locator('tr', { has: requester.page.locator(`a[href="/app/requests/${id}"]`) });
    const rowText = (await row.textContent())!;
    expect(rowText).toContain('Conference trip to Japan');
    expect(rowText).not.toMatch(/\bJP\b/);
    expect(rowText).toContain(REQUESTER_NAME);
    expect(rowText).not.toContain(REQUESTER);
    expect(rowText).toContain(`Submitted ${TODAY}`);
    await checkPage(requester.page, 'my-requests-words');

    const hr = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    await hr.page.goto('/app/inbox');
    const inboxRow = hr.page.locator('tr', { has: hr.page.locator(`a[href="/app/requests/${id}"]`) });
    const inboxText = (await inboxRow.textContent())!;
    expect(inboxText).toContain('Conference trip to Japan');
    expect(inboxText).toContain(REQUESTER_NAME);
    expect(inboxText).not.toMatch(/\bJP\b|tier core|tier standard/);
    expect(inboxText).toContain(`Submitted ${TODAY}, waiting today`);
    // a work queue: oldest first unless asked otherwise
    expect(await hr.page.locator('table caption').textContent()).toContain('oldest first');
    await checkPage(hr.page, 'inbox-words');

    // an amendment's change list names the countries
    await sendBack(http, id, 'hr', 'hr@example.com', 'Go to Germany instead');
    const amended = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...requestBody('conference'),
      destinationCountry: 'DE',
      counterparties: [{ name: 'Globex', country: 'FR' }],
    });
    expect(amended.status).toBe(200);
    await requester.page.goto(`/app/requests/${id}`);
    expect(await requester.page.title()).toMatch(/Conference trip to Germany/);
    const detail = await mainText(requester.page);
    expect(detail).toContain('destination Japan → Germany');
    expect(detail).toContain('Globex (Germany) → Globex (France)');
    expect(detail).not.toMatch(/\b(JP|DE|FR)\b/);

    // custody: the employee and the issuing country by name
    const deposit = await http.as('custodian@example.com', 'POST', '/api/passports', {
      employeeEmail: REQUESTER,
      passportNumber: `W${Math.floor(Math.random() * 1e8)}`,
      issuingCountry: 'KR',
      expiryDate: daysFromNow(1000),
    });
    expect(deposit.status).toBe(201);
    const custodian = await signedIn(pages.browser, pages.system.baseUrl, 'custodian@example.com');
    await custodian.page.goto('/app/custody');
    const custody = (await custodian.page.locator('#passports').textContent())!;
    expect(custody).toContain(REQUESTER_NAME);
    expect(custody).toContain('South Korea');
    expect(custody).not.toMatch(/\(KR\)/);
    await checkPage(custodian.page, 'custody-words');

    await Promise.all([requester.context.close(), hr.context.close(), custodian.context.close()]);
  });

  it('should link the requester’s email to the request, and show on the amend form what the reviewer asked', async () => {
    const id = await submit();
    await pendingFor(id, 'hr');
    await sendBack(http, id, 'hr', 'hr@example.com', 'Name the sessions you attend');
    const mail = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${REQUESTER}`)).body;
      // (the "submitted" email links to it too: the one wanted follows the change request)
      return mails.find(
        (m) =>
          !/ was submitted$/.test(m.subject) && (m.links as string[]).some((l) => l.endsWith(`/app/requests/${id}`)),
      );
    }, 'the changes-requested email with a link to the request');
    expect(mail.text).toContain('HR: Name the sessions you attend');

    const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await requester.page.goto(new URL(mail.links.find((l: string) => l.endsWith(`/app/requests/${id}`))).pathname);
    await requester.page.getByRole('link', { name: 'Amend and resubmit' }).click();
    const asked = (await requester.page.locator('#asked').textContent())!;
    expect(asked).toContain('What the reviewers asked');
    expect(asked).toContain('HR');
    expect(asked).toContain('Hana Reyes (HR)');
    expect(asked).toContain('Name the sessions you attend');
    await checkPage(requester.page, 'amend-form-asked');

    // the requester answers the reviewer on the form; hr, asked again, reads the answer on its link page
    const reply = 'The keynote and the export-control panel';
    // too long (a browser that ignores maxlength): said next to the field, nothing sent
    await requester.page.locator('#f-reply').evaluate((el) => el.removeAttribute('maxlength'));
    await requester.page.getByLabel('Your reply to the reviewer (optional)').fill('x'.repeat(2001));
    const sent = requester.page.waitForResponse((r) => r.url().endsWith('/amend') && r.request().method() === 'POST');
    await requester.page.getByRole('button', { name: 'Send the amended request' }).click();
    expect((await sent).status()).toBe(400);
    // the answer page's live preview runs once loaded: the reply's error stays after it
    await requester.page.waitForResponse((r) => r.url().includes('/app/requests/preview'));
    expect(await requester.page.locator('#e-reply').textContent()).toBe('keep it to 2000 characters or fewer');
    expect(await requester.page.locator('#f-reply').getAttribute('aria-invalid')).toBe('true');
    expect((await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.status).toBe('changes_requested');
    await requester.page.getByLabel('Your reply to the reviewer (optional)').fill(reply);
    await requester.page.getByRole('button', { name: 'Send the amended request' }).click();
    await requester.page.waitForURL(/done=amended/);
    expect(await mainText(requester.page)).toContain(`${REQUESTER_NAME} replied: “${reply}”`);
    const link = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr@example.com')).body;
      const asked = mails.find((m) => m.text.includes('asked again') && m.text.includes(reply));
      return asked?.links.find((l: string) => l.includes('/approvals/')) as string | undefined;
    }, 'the round-2 approval email to hr');
    const hr = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com');
    await hr.page.goto(new URL(link).pathname);
    expect(await mainText(hr.page)).toContain(`${REQUESTER_NAME} replied: “${reply}”`);
    await checkPage(hr.page, 'link-page-reply');
    // and on the request page, in the packet it decides on
    await hr.page.goto(`/app/requests/${id}`);
    expect(await hr.page.locator('#reply').textContent()).toContain(`“${reply}”`);
    await Promise.all([requester.context.close(), hr.context.close()]);
  });

  it('should withdraw only after a confirmation, keep the reason, tell the approvers already asked, and show untouched parties as not needed', async () => {
    const id = await submit();
    await pendingFor(id, 'hr');
    const reference = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.reference as string;
    const tooLong = await http.as(REQUESTER, 'POST', `/api/requests/${id}/withdraw`, { reason: 'x'.repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('reason');

    const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await requester.page.goto(`/app/requests/${id}`);
    await requester.page.getByRole('link', { name: 'Withdraw request' }).click();
    await requester.page.waitForURL(`**/app/requests/${id}/withdraw`);
    // nothing happened yet: the confirmation page only asks
    expect((await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.status).toBe('pending');
    await checkPage(requester.page, 'withdraw-confirm');
    await requester.page.getByLabel('Reason (optional)').fill('The conference was cancelled');
    await requester.page.getByRole('button', { name: 'Yes, withdraw the request' }).click();
    await requester.page.waitForURL(/done=withdrawn/);
    expect((await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.status).toBe('withdrawn');

    const approvals = (await requester.page.locator('section[aria-labelledby="h-approvals"]').textContent())!;
    expect(approvals).toContain('Not needed');
    expect(approvals).not.toContain('Pending');
    await eventually(async () => {
      await requester.page.reload();
      return (await mainText(requester.page)).includes('The conference was cancelled');
    }, 'the reason on the timeline');

    const told = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr@example.com')).body;
      return mails.find((m) => m.subject.includes(reference) && /withdrawn/i.test(m.subject));
    }, 'the approver told of the withdrawal');
    expect(told.text).toContain('The conference was cancelled');
    expect(told.text).toContain('No decision is needed');
    // the approver learns which of their parties it concerned
    expect(told.text).toContain('You were asked as HR.');
    await requester.context.close();
  });

  it('should show untouched parties of a rejected request as not needed', async () => {
    const id = await submit({ destinationCountry: 'CN' });
    await pendingFor(id, 'hr');
    const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
    const parties = view.stages.flatMap((s: any) => s.approvals).map((a: any) => a.party as string);
    expect(parties.length).toBeGreaterThan(1);
    const rejected = await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'reject',
      comment: 'Not this year',
    });
    expect(rejected.body.status).toBe('rejected');
    const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await requester.page.goto(`/app/requests/${id}`);
    const approvals = (await requester.page.locator('section[aria-labelledby="h-approvals"]').textContent())!;
    expect(approvals).toContain('Rejected');
    expect(approvals).toContain('Not needed');
    expect(approvals).not.toMatch(/Pending|Waiting/);
    await requester.context.close();
  });

  it('should copy a withdrawn request into a new, pre-filled request form', async () => {
    const id = await submit({
      destinationCountry: 'DE',
      purpose: 'Keynote on compilers',
      details: { eventName: 'CompilerConf', presenting: true },
    });
    await pendingFor(id, 'hr');
    expect((await http.as(REQUESTER, 'POST', `/api/requests/${id}/withdraw`, {})).status).toBe(200);

    const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await requester.page.goto(`/app/requests/${id}`);
    await requester.page.getByRole('link', { name: 'Copy as a new request' }).click();
    await requester.page.waitForURL(`**/app/requests/${id}/copy`);
    expect(await requester.page.getByLabel('Purpose').inputValue()).toBe('Keynote on compilers');
    expect(await requester.page.getByLabel('Event name').inputValue()).toBe('CompilerConf');
    expect(await requester.page.getByLabel('I am presenting').isChecked()).toBe(true);
    expect(await mainText(requester.page)).toContain('Copied from');
    await checkPage(requester.page, 'copy-as-new');
    await requester.page.getByRole('button', { name: 'Submit request' }).click();
    await requester.page
      .waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/, { timeout: 15_000 })
      .catch(async (error) => {
        throw new Error(`${String(error)}\n${await requester.page.locator('main').innerText()}`);
      });
    const copyId = new URL(requester.page.url()).pathname.split('/').pop()!;
    expect(copyId).not.toBe(id);
    const copy = (await http.as(REQUESTER, 'GET', `/api/requests/${copyId}`)).body;
    expect(copy.purpose).toBe('Keynote on compilers');
    expect(copy.destinationCountry).toBe('DE');
    expect(copy.details.eventName).toBe('CompilerConf');

    // an undecided request offers no copy; someone else's request is not theirs to copy
    await requester.page.goto(`/app/requests/${copyId}`);
    expect(await requester.page.getByRole('link', { name: 'Copy as a new request' }).count()).toBe(0);
    const other = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    const res = await other.page.goto(`/app/requests/${id}/copy`);
    expect(res!.status()).toBe(404);
    await Promise.all([requester.context.close(), other.context.close()]);
  });

  it('should word field errors for people, show preview errors only for touched fields, and clear a fixed one', async () => {
    // the API keeps naming the field
    const api = await http.as(
      REQUESTER,
      'POST',
      '/api/requests',
      requestBody('conference', { details: { eventName: '' } }),
    );
    expect(api.status).toBe(400);
    expect(api.body.errors.map((e: { field: string }) => e.field)).toContain('details.eventName');

    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
    await page.goto('/app/requests/new?type=conference');
    const preview = page.locator('#preview');
    // nothing typed: the preview blames nobody
    await page.waitForTimeout(800);
    expect(await preview.textContent()).not.toMatch(/must|enter|choose/i);

    await page.getByLabel('Destination country').fill('U5');
    await eventually(
      async () => ((await preview.textContent()) ?? '').includes('Destination country'),
      'the destination error in the preview',
    );
    const touchedOnly = (await preview.textContent())!;
    expect(touchedOnly).not.toContain('Event name');
    expect(touchedOnly).not.toMatch(/destinationCountry|ISO 3166/);

    await page.getByLabel('Destination country').fill('JP');
    await page.getByLabel('Departure').fill(daysFromNow(30));
    await page.getByLabel('Return').fill(daysFromNow(37));
    await page.getByLabel('Purpose').fill('Talk to researchers');
    await page.getByLabel('General software').check();
    await page.getByLabel('None', { exact: true }).last().check();
    await page.getByRole('button', { name: 'Submit request' }).click();
    const alert = (await page.getByRole('alert').first().textContent())!;
    expect(alert).toContain("Event name: enter the event's name");
    expect(alert).not.toMatch(/details\.eventName|must be longer than/);
    expect(await page.locator('#e-details\\.eventName').textContent()).toContain("enter the event's name");
    await checkPage(page, 'request-form-words');

    await page.getByLabel('Event name').fill('Tokyo AI Week');
    await eventually(
      async () => (await page.locator('#e-details\\.eventName').count()) === 0,
      'the fixed error cleared',
    );
    expect(await page.getByLabel('Event name').getAttribute('aria-invalid')).toBeNull();
    await context.close();
  });

  it('should say in the preview that a passport release needs a passport in custody, as submit would', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'dave@example.com');
    await page.goto('/app/requests/new?type=passport_release');
    await page.getByLabel('Destination country').fill('DE');
    await page.getByLabel('Departure').fill(daysFromNow(30));
    await page.getByLabel('Return').fill(daysFromNow(37));
    await page.getByLabel('Purpose').fill('Visa appointment');
    await page.getByLabel('General software').check();
    await page.getByLabel('None', { exact: true }).last().check();
    await page.getByLabel('Reason', { exact: true }).fill('Visa appointment');
    await eventually(
      async () =>
        ((await page.locator('#preview').textContent()) ?? '').includes('none of your passports is in company custody'),
      'the custody problem in the preview',
    );
    await context.close();
  });

  it('should fit a phone (390 px): no sideways scrolling on the request, link and inbox pages, even with a long word', async () => {
    const longWord = 'Hyperparameteroptimisationworkshopforlargemodelsandcompilerinfrastructure'.repeat(3);
    const id = await submit({ purpose: `Present ${longWord} at the event` });
    await pendingFor(id, 'hr');
    const link = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr@example.com')).body;
      return mails
        .flatMap((m) => m.links as string[])
        .find(
          (l) =>
            l.includes('/approvals/') &&
            JSON.parse(Buffer.from(l.split('/approvals/')[1].split('.')[1], 'base64url').toString()).rid === id,
        );
    }, 'the approval link');
    const phone = { width: 390, height: 844 };
    const overflow = (page: Page) =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

    const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER, phone);
    await requester.page.goto(`/app/requests/${id}`);
    expect(await overflow(requester.page)).toBeLessThanOrEqual(0);
    await requester.page.goto('/app/requests');
    expect(await overflow(requester.page)).toBeLessThanOrEqual(0);

    const hr = await signedIn(pages.browser, pages.system.baseUrl, 'hr@example.com', phone);
    await hr.page.goto('/app/inbox');
    expect(await overflow(hr.page)).toBeLessThanOrEqual(0);
    await checkPage(hr.page, 'inbox-phone');
    await hr.page.goto(new URL(link).pathname);
    expect(await overflow(hr.page)).toBeLessThanOrEqual(0);
    await checkPage(hr.page, 'email-link-phone');
    await Promise.all([requester.context.close(), hr.context.close()]);
  });
});
