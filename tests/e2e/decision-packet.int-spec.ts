import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody, sendBack } from '../support/factories';
import { useSystem } from '../support/system';

const REQUESTER = 'carol@example.com';
const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

/**
 * The decision packet wherever a decision is made (issue 13): the person's earlier requests on the
 * email-link page (only what the link's party may see), what changed since this party last decided
 * (composed over every amendment since, with its earlier conditions), and a timeline that does not
 * show an approver the emails sent to the requester.
 */
describe.each(testDatabases())('the decision packet on $name', (database) => {
  const { http } = useSystem(database);

  const claims = (link: string): { rid: string; rnd: number } =>
    JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());

  /** The approval email to `to` for this request and round: its text and its link. */
  const mailFor = (id: string, to: string, round: number) =>
    eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
      const mail = mails.find((m) =>
        (m.links as string[]).some((l) => l.includes('/approvals/') && claims(l).rid === id && claims(l).rnd === round),
      );
      if (!mail) return undefined;
      const link = (mail.links as string[]).find((l) => l.includes('/approvals/'))!;
      return { text: mail.text as string, link };
    }, `the approval email to ${to} (round ${round})`);

  const submit = async (body: Record<string, unknown>) => {
    const res = await http.as(REQUESTER, 'POST', '/api/requests', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; reference: string };
  };

  const pendingParties = async (id: string, round: number): Promise<string[]> =>
    eventually(async () => {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
      if (view.round !== round || view.status !== 'pending') return undefined;
      const parties = view.stages.flatMap((s: any) => s.approvals).filter((a: any) => a.status === 'pending');
      return parties.length > 0 ? parties.map((a: any) => a.party as string) : undefined;
    }, `parties asked in round ${round}`);

  const pageOf = async (link: string) => {
    const res = await fetch(link);
    expect(res.status).toBe(200);
    return res.text();
  };

  it("should list the person's earlier requests and outcomes on the link page, without other parties' comments", async () => {
    const earlier = await submit(requestBody('conference', { purpose: 'An earlier trip' }));
    const parties = await pendingParties(earlier.id, 1);
    expect(parties).toContain('data_governance');
    const rejected = await http.as(MEMBER.data_governance, 'POST', `/api/requests/${earlier.id}/decisions`, {
      party: 'data_governance',
      decision: 'reject',
      comment: 'DATA-GOVERNANCE-ONLY remark about the earlier trip',
    });
    expect(rejected.body.status).toBe('rejected');

    const now = await submit(
      requestBody('conference', { purpose: 'The trip being decided', destinationCountry: 'DE' }),
    );
    const { link } = await mailFor(now.id, MEMBER.hr, 1);
    const html = await pageOf(link);
    expect(html).toContain(`Earlier requests of ${REQUESTER}`);
    expect(html).toMatch(
      new RegExp(
        `${earlier.reference} Conference trip to United States, [0-9-]+ to [0-9-]+, submitted [0-9-]+: Rejected`,
      ),
    );
    expect(html).not.toContain('DATA-GOVERNANCE-ONLY');
    // The person's directory flags beside the tier, in words (issue 13: "the person's tier and flags").
    expect(html).toContain(`Directory flags of ${REQUESTER}: No classified access, no confidentiality period.`);
    const extras = await http.as(MEMBER.hr, 'GET', `/api/requests/${now.id}/packet`);
    expect(extras.body.requesterFlags).toBe('No classified access, no confidentiality period');
    expect((await http.as(REQUESTER, 'GET', `/api/requests/${now.id}/packet`)).body.requesterFlags).toBeNull();
    expect(html).not.toContain(now.reference + ' Conference');

    // the request page reads the same list, through the API, as the signed-in member sees it
    const packet = await http.as(MEMBER.hr, 'GET', `/api/requests/${now.id}/packet`);
    expect(packet.status).toBe(200);
    expect(packet.body.earlierRequests).toEqual(
      expect.arrayContaining([expect.objectContaining({ reference: earlier.reference, status: 'rejected' })]),
    );
    expect(packet.body.earlierRequests.map((r: any) => r.id)).not.toContain(now.id);
  });

  it('should show a party asked again what changed since it last decided, over every amendment, with its earlier conditions', async () => {
    const body = requestBody('conference', { purpose: 'Present a paper', departureDate: daysFromNow(30) });
    const { id } = await submit(body);
    await pendingParties(id, 1);
    const hr = await http.as(MEMBER.hr, 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      comment: 'Fine by HR',
      conditions: ['clean laptop only'],
    });
    expect(hr.status).toBe(200);
    await sendBack(http, id, 'data_governance', MEMBER.data_governance, 'Name the sessions');
    const first = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...body,
      purpose: 'Present a paper at the compiler sessions',
    });
    expect(first.status).toBe(200);
    const round2 = first.body.round as number;
    await pendingParties(id, round2);
    // hr has not decided again when data governance sends it back: the next amendment adds to what hr has not seen
    await sendBack(http, id, 'data_governance', MEMBER.data_governance, 'Shorter trip please');
    const second = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...body,
      purpose: 'Present a paper at the compiler sessions',
      departureDate: daysFromNow(32),
    });
    expect(second.status).toBe(200);
    const round3 = second.body.round as number;
    expect(round3).toBeGreaterThan(round2);

    const purpose = 'purpose "Present a paper" → "Present a paper at the compiler sessions"';
    const departure = `departure ${daysFromNow(30)} → ${daysFromNow(32)}`;

    // the email of the new round
    const { text, link } = await mailFor(id, MEMBER.hr, round3);
    expect(text).toContain('What changed since you last decided');
    expect(text).toContain('Your earlier conditions: clean laptop only');
    expect(text).toContain('Fine by HR');
    expect(text).toContain(purpose);
    expect(text).toContain(departure);

    // the link page
    const html = await pageOf(link);
    expect(html).toContain('What changed since you last decided (HR)');
    expect(html).toContain('Your earlier conditions: clean laptop only');
    expect(html).toContain(purpose.replace(/"/g, '&quot;'));
    expect(html).toContain(departure);

    // the request page's and the inbox's source: for hr, composed from round 1
    const packet = (await http.as(MEMBER.hr, 'GET', `/api/requests/${id}/packet`)).body;
    expect(packet.sinceLastDecided).toEqual([
      expect.objectContaining({
        party: 'hr',
        decision: 'approve',
        round: 1,
        comment: 'Fine by HR',
        conditions: ['clean laptop only'],
        changes: [
          { field: 'purpose', before: 'Present a paper', after: 'Present a paper at the compiler sessions' },
          { field: 'departureDate', before: daysFromNow(30), after: daysFromNow(32) },
        ],
      }),
    ]);
    const inbox = (await http.as(MEMBER.hr, 'GET', `/api/approvals/inbox?requestId=${id}&party=hr`)).body;
    expect(inbox.items[0].sinceLastDecided).toMatchObject({ round: 1, conditions: ['clean laptop only'] });
    expect(inbox.items[0].sinceLastDecided.changes).toHaveLength(2);
    // data governance asked for changes in round 2: its own last decision, and only what changed after it
    const datagov = (await http.as(MEMBER.data_governance, 'GET', `/api/requests/${id}/packet`)).body;
    expect(datagov.sinceLastDecided).toEqual([
      expect.objectContaining({
        party: 'data_governance',
        decision: 'request_changes',
        round: round2,
        comment: 'Shorter trip please',
      }),
    ]);
    expect(datagov.sinceLastDecided[0].changes).toEqual([
      { field: 'departureDate', before: daysFromNow(30), after: daysFromNow(32) },
    ]);
  });

  it("should not show an approver the requester's emails on the timeline (an attack on the timeline)", async () => {
    const { id } = await submit(requestBody('conference', { purpose: 'Timeline check' }));
    await pendingParties(id, 1);
    const requesterSees = await eventually(async () => {
      const items = (await http.as(REQUESTER, 'GET', `/api/requests/${id}/timeline`)).body.items as any[];
      return items.some((e) => e.title.startsWith(`Email to ${REQUESTER}`)) &&
        items.some((e) => e.title.startsWith('Asked Data governance by email'))
        ? items
        : undefined;
    }, 'the submitted email and the party emails on the timeline');
    expect(requesterSees.some((e) => e.title.startsWith(`Email to ${REQUESTER}`))).toBe(true);

    const approver = (await http.as(MEMBER.hr, 'GET', `/api/requests/${id}/timeline`)).body.items as any[];
    const titles = approver.map((e) => e.title as string);
    expect(titles.filter((t) => t.includes(REQUESTER))).toEqual([]);
    expect(titles.some((t) => t.startsWith('Asked HR by email'))).toBe(true);
    expect(titles.some((t) => t.startsWith('Asked Data governance by email'))).toBe(false);
    // decisions and the request's own events stay on the approver's timeline
    expect(titles.some((t) => t.startsWith('Submitted under policy version'))).toBe(true);

    const auditor = (await http.as('auditor@example.com', 'GET', `/api/requests/${id}/timeline`)).body.items as any[];
    expect(auditor.some((e) => e.title.startsWith(`Email to ${REQUESTER}`))).toBe(true);
  });
});
