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
    expect(inboxText).toContain(`Submitted ${TODAY}`);
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
      return mails.find((m) => (m.links as string[]).some((l) => l.endsWith(`/app/requests/${id}`)));
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
    await requester.context.close();
  });
});
