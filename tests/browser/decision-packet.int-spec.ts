import { eventually } from '../support/eventually';
import { depositPassport, requestBody, sendBack } from '../support/factories';
import { checkPage, signedIn, usePagesSystem } from '../support/browser';

const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

const REQUESTER = 'carol@example.com';
const HIT_WORDS = 'Acme Quantum Research Inst. matches ACME Quantum Research Institute on the Test list, ';

/** What each type's approver must read on the link page: its own details, in words. */
const CASES: Array<{ type: string; details: Record<string, unknown>; words: string[] }> = [
  {
    type: 'conference',
    details: { eventName: 'ICML Vienna', presenting: true },
    words: ['Conference trip', 'ICML Vienna', 'Yes, presents at the event'],
  },
  {
    type: 'overseas_assignment',
    details: { hostEntity: 'Example GmbH', role: 'Research lead', months: 12 },
    words: ['Overseas assignment', 'Example GmbH', 'Research lead', '12 months'],
  },
  {
    type: 'ma_participation',
    details: { dealName: 'Project Falcon', counterpartyRole: 'target', involvement: 'due_diligence' },
    words: ['Cross-border deal participation', 'Project Falcon', 'Target', 'Due diligence', HIT_WORDS],
  },
  {
    type: 'passport_release',
    details: { reason: 'Visa appointment at the embassy' },
    words: ['Passport release', 'Visa appointment at the embassy'],
  },
  {
    type: 'departure_abroad',
    details: { newEmployer: 'Example Labs Ltd' },
    words: ['Departure to an employer abroad', 'Example Labs Ltd', 'Last working day'],
  },
];

/** Codes a person must never read: snake_case vocabulary, ISO country codes of this request, a raw score. */
function rawCodes(text: string): string[] {
  return [...(text.match(/\b[a-z]+(?:_[a-z]+)+\b|\bJP\b|\bCN\b|~ \(\d+\)|condition-\d/g) ?? [])];
}

/** Approvers decide from an email link with every detail the requester gave in words (issue 13). */
describe('the decision packet in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  beforeAll(async () => {
    await depositPassport(http, REQUESTER);
    const entry = await http.as('admin@example.com', 'POST', '/api/screening/entries', {
      name: 'ACME Quantum Research Institute',
      country: 'CN',
      source: 'Test list',
    });
    expect(entry.status).toBe(201);
  });

  async function linkFor(id: string, party: string, round = 1): Promise<{ link: string; text: string }> {
    return eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${MEMBER[party]}`)).body;
      const mail = mails.find((m) =>
        (m.links as string[]).some((l) => l.includes('/approvals/') && claims(l).rid === id && claims(l).rnd === round),
      );
      return mail && { link: (mail.links as string[]).find((l) => l.includes('/approvals/'))!, text: mail.text };
    }, `the approval email to ${party}`);
  }

  it.each(CASES)(
    'should show the $type details in words, and no raw code, on the link page and in the email',
    async (c) => {
      const ma = c.type === 'ma_participation';
      const body = requestBody(c.type as never, {
        destinationCountry: 'JP',
        technologyAreas: ['general_software'],
        dataCategories: ['model_weights'],
        counterparties: [
          ma ? { name: 'Acme Quantum Research Inst.', country: 'CN' } : { name: 'Globex', country: 'DE' },
        ],
        details: { ...body0(c.type), ...c.details },
      });
      const res = await http.as(REQUESTER, 'POST', '/api/requests', body);
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      const party = await eventually(async () => {
        const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
        return view.stages.flatMap((s: any) => s.approvals).find((a: any) => a.status === 'pending')?.party as string;
      }, 'a party asked');
      const { link, text: mailText } = await linkFor(id, party);
      for (const words of c.words) expect(mailText).toContain(words);
      expect(mailText).toContain('Destination: Japan');
      expect(mailText).toContain('Data crossing the border: Model weights');

      const context = await pages.browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      await page.goto(link);
      const main = (await page.locator('main').textContent())!;
      for (const words of [
        ...c.words,
        'Japan',
        'General software',
        'Model weights',
        'All parties',
        'carol@example.com, tier',
      ]) {
        expect(main).toContain(words);
      }
      expect(rawCodes(main)).toEqual([]);
      await checkPage(page, `email-link-packet-${c.type}`);
      await context.close();

      if (ma) {
        // the reviewer's request page has the hit in words; the requester's never names the entry
        const reviewer = await signedIn(pages.browser, pages.system.baseUrl, MEMBER[party]);
        await reviewer.page.goto(`/app/requests/${id}`);
        const seen = (await reviewer.page.locator('main').textContent())!;
        expect(seen).toContain(HIT_WORDS);
        expect(seen).toContain('Project Falcon');
        expect(rawCodes(seen)).toEqual([]);
        await checkPage(reviewer.page, 'request-packet-reviewer');
        await reviewer.context.close();
        const requester = await signedIn(pages.browser, pages.system.baseUrl, REQUESTER);
        await requester.page.goto(`/app/requests/${id}`);
        const own = (await requester.page.locator('main').textContent())!;
        expect(own).toContain('Acme Quantum Research Inst. needs restricted-party review');
        expect(own).not.toContain('ACME Quantum Research Institute');
        expect(own).not.toContain('% similar');
        await requester.context.close();
      }
    },
  );

  it('should show an approver asked again what the amendment changed', async () => {
    const body = requestBody('conference', { destinationCountry: 'US', purpose: 'Present a paper' });
    const submitted = await http.as(REQUESTER, 'POST', '/api/requests', body);
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await sendBack(http, id, 'hr', 'hr@example.com', 'Name the sessions you attend');
    const amended = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...body,
      purpose: 'Present a paper at the sessions on compilers',
    });
    expect(amended.status).toBe(200);
    const { link } = await linkFor(id, 'hr', amended.body.round);

    const context = await pages.browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(link);
    const main = (await page.locator('main').textContent())!;
    expect(main).toContain('What changed after an amendment');
    expect(main).toMatch(
      /Amended by [^:]+: purpose "Present a paper" → "Present a paper at the sessions on compilers"/,
    );
    expect(main).toContain('Present a paper at the sessions on compilers');
    expect(rawCodes(main)).toEqual([]);
    await checkPage(page, 'email-link-packet-amended');
    await context.close();
  });
  it('should show a party asked again what changed since it last decided: link page, request page, inbox row', async () => {
    const body = requestBody('conference', { destinationCountry: 'US', purpose: 'Present a paper' });
    const submitted = await http.as(REQUESTER, 'POST', '/api/requests', body);
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await linkFor(id, 'hr');
    const approved = await http.as(MEMBER.hr, 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      comment: 'Fine by HR',
      conditions: ['clean laptop only'],
    });
    expect(approved.status).toBe(200);
    await sendBack(http, id, 'data_governance', MEMBER.data_governance, 'Name the sessions');
    const amended = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...body,
      purpose: 'Present a paper at the compiler sessions',
    });
    expect(amended.status).toBe(200);
    const { link } = await linkFor(id, 'hr', amended.body.round);
    const change = 'purpose "Present a paper" → "Present a paper at the compiler sessions"';

    const context = await pages.browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(link);
    const since = (await page.locator('section.since').textContent())!;
    for (const words of ['What changed since you last decided (HR)', 'HR approved in round 1', 'Fine by HR']) {
      expect(since).toContain(words);
    }
    expect(since).toContain('Your earlier conditions: clean laptop only');
    expect(since).toContain(change);
    expect(rawCodes(since)).toEqual([]);
    await checkPage(page, 'email-link-packet-since-you-decided');
    await context.close();

    const hr = await signedIn(pages.browser, pages.system.baseUrl, MEMBER.hr);
    await hr.page.goto(`/app/requests/${id}`);
    const onPage = (await hr.page.locator('section.since').textContent())!;
    expect(onPage).toContain('What changed since you last decided (HR)');
    expect(onPage).toContain('Your earlier conditions: clean laptop only');
    expect(onPage).toContain(change);
    await checkPage(hr.page, 'request-packet-since-you-decided');

    await hr.page.goto(`/app/inbox?party=hr&order=newest`);
    const row = hr.page.locator('tr', { has: hr.page.locator(`a[href="/app/requests/${id}"]`) });
    await row.locator('details.since summary').click();
    const expanded = (await row.locator('details.since').textContent())!;
    expect(expanded).toContain('What changed since you last decided');
    expect(expanded).toContain('Your earlier conditions: clean laptop only');
    expect(expanded).toContain(change);
    await checkPage(hr.page, 'inbox-since-you-decided');
    await hr.context.close();
  });
});

/** The factory's details of a type (a departure's last working day is a date it picks). */
function body0(type: string): Record<string, unknown> {
  const details = requestBody(type as never).details as Record<string, unknown>;
  return Object.fromEntries(Object.entries(details));
}

function claims(link: string): { rid: string; rnd: number } {
  return JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());
}
