import { DataSource } from 'typeorm';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { insertPendingApprovals, loadRequestId } from '../support/inbox-rows';
import { useSystem } from '../support/system';

interface InboxPage {
  items: Array<{ requestId: string; party: string; submittedAt: string; destinationCountry: string }>;
  nextCursor: string | null;
  counts: Record<string, number>;
  total: number;
}

/** Issue 15: the approvals inbox pages like the list, newest first, with counts from one aggregate query. */
describe.each(testDatabases())('the paged approvals inbox on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const inbox = async (as: string, query: string) => {
    const res = await http.as<InboxPage>(as, 'GET', `/api/approvals/inbox?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  /** Every page of a query, following nextCursor to the end. */
  const allPages = async (as: string, query: string) => {
    const pages: InboxPage[] = [];
    let cursor: string | null = null;
    do {
      const page = await inbox(as, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 1_000);
    return pages;
  };

  const submitted: string[] = [];

  it('should page the inbox newest first with its filters, the same counts on every page', async () => {
    for (let i = 0; i < 7; i += 1) {
      const destinationCountry = i % 2 === 0 ? 'JP' : 'DE';
      const res = await http.as(
        'alice@example.com',
        'POST',
        '/api/requests',
        requestBody('conference', { destinationCountry }),
      );
      expect(res.status).toBe(201);
      submitted.push(res.body.id);
    }
    await eventually(async () => (await inbox('hr@example.com', 'party=hr')).counts.hr === 7, 'seven approvals for hr');

    const pages = await allPages('hr@example.com', 'party=hr&limit=3');
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.requestId))).toEqual([...submitted].reverse());
    expect(pages.flatMap((p) => p.items.map((i) => i.party))).toEqual(Array(7).fill('hr'));
    expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
    for (const page of pages) expect(page).toMatchObject({ counts: { hr: 7 }, total: 7 });

    // filters hold across pages, and the counts are those of the filtered inbox
    const japan = await allPages('hr@example.com', 'party=hr&destination=jp&limit=2');
    expect(japan.flatMap((p) => p.items.map((i) => i.requestId))).toEqual(
      submitted.filter((_, i) => i % 2 === 0).reverse(),
    );
    expect(japan.map((p) => p.counts)).toEqual(Array(2).fill({ hr: 4 }));

    // every party of the caller counts, pages or not; one request's approvals by its id
    const all = await inbox('hr@example.com', 'limit=1');
    expect(all.items).toHaveLength(1);
    expect(all.total).toBe(Object.values(all.counts).reduce((a, b) => a + b, 0));
    const one = await inbox('hr@example.com', `requestId=${submitted[0]}`);
    expect(one.items.map((i) => [i.requestId, i.party])).toEqual([[submitted[0], 'hr']]);
    expect(one.counts.hr).toBe(1);

    // the requester never finds her own requests in an inbox
    const own = await http.as<InboxPage>('alice@example.com', 'GET', '/api/approvals/inbox');
    expect(own.body.items.some((i) => submitted.includes(i.requestId))).toBe(false);
  });

  it('should refuse a limit, cursor or filter it did not give out or does not know', async () => {
    const bad = Buffer.from(JSON.stringify(['2030-01-01T00:00:00.000Z', 'no-party'])).toString('base64url');
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=zzz', `cursor=${bad}`, 'requestId=nope']) {
      const res = await http.as('hr@example.com', 'GET', `/api/approvals/inbox?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([query.split('=')[0]]);
    }
    expect((await http.as('hr@example.com', 'GET', '/api/approvals/inbox?limit=2&limit=3')).status).toBe(400);
    expect((await http.as('hr@example.com', 'GET', '/api/approvals/inbox?cursor=a&cursor=b')).status).toBe(400);
  });

  it('should page an inbox larger than one IN list may bind (32,766 parameters on SQLite)', async () => {
    const count = 33_000;
    await insertPendingApprovals(used.system.app.get(DataSource), {
      count,
      party: 'hr',
      requester: 'carol@example.com',
      from: '2025-01-01T00:00:00.000Z',
      prefix: 'aaaaaaaa',
    });
    // the load's ids, oldest first
    const load = Array.from({ length: count }, (_, i) => loadRequestId('aaaaaaaa', i));
    const started = performance.now();
    const first = await inbox('hr@example.com', 'party=hr&limit=100');
    const firstPageMs = performance.now() - started;
    expect(first.counts).toEqual({ hr: count + submitted.length });
    expect(first.total).toBe(count + submitted.length);
    // newest first: the requests submitted through the API, then the load from its newest
    expect(first.items.slice(0, 7).map((i) => i.requestId)).toEqual([...submitted].reverse());
    expect(first.items.slice(7).map((i) => i.requestId)).toEqual(load.slice(-93).reverse());

    let cursor = first.nextCursor;
    const seen = first.items.map((i) => i.requestId);
    for (let page = 2; page <= 4; page += 1) {
      const next = await inbox('hr@example.com', `party=hr&limit=100&cursor=${encodeURIComponent(cursor!)}`);
      expect(next.items).toHaveLength(100);
      seen.push(...next.items.map((i) => i.requestId));
      cursor = next.nextCursor;
    }
    expect(seen).toEqual([...[...submitted].reverse(), ...load.slice(-393).reverse()]);
    expect(new Set(seen).size).toBe(400);
    // the whole inbox, unpaged and unfiltered, answers too (it used to bind every id at once)
    expect((await inbox('hr@example.com', '')).items).toHaveLength(50);
    // generous: a loaded shared machine, but nowhere near reading 33,000 rows per call
    expect(firstPageMs).toBeLessThan(5_000);
  }, 180_000);

  it('should leave a quorum approval out of the inbox of whoever already gave it, not of the others', async () => {
    const policy = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    policy.parties.hr.quorum = 2;
    expect((await http.as('admin@example.com', 'PUT', '/api/policy', policy)).status).toBe(200);
    const res = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    await eventually(async () => (await inbox('hr@example.com', `requestId=${id}`)).items.length === 1, 'for hr');
    const vote = await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(vote.status).toBe(200);
    expect(await inbox('hr@example.com', `requestId=${id}`)).toMatchObject({ items: [], counts: { hr: 0 }, total: 0 });
    const lead = await inbox('hr-lead@example.com', `requestId=${id}`);
    expect(lead.items).toEqual([expect.objectContaining({ requestId: id, party: 'hr', approvals: 1, quorum: 2 })]);
    expect(lead.counts.hr).toBe(1);
  });

  it('should say when each party was asked (a later stage when it began, again after an amendment) and when its reminder and escalation fall due', async () => {
    const res = await http.as('carol@example.com', 'POST', '/api/requests', requestBody('ma_participation'));
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    const item = async (as: string) => (await inbox(as, `requestId=${id}`)).items[0] as any;
    await eventually(async () => Boolean(await item('legal@example.com')), 'legal asked');
    const legal = await item('legal@example.com');
    const submittedAt = Date.parse(legal.submittedAt);
    expect(Date.parse(legal.askedAt)).toBe(submittedAt);
    // the default policy: a reminder after 24 h, an escalation after 72 h
    expect(Date.parse(legal.reminderDueAt) - Date.parse(legal.askedAt)).toBe(24 * 3_600_000);
    expect(Date.parse(legal.escalationDueAt) - Date.parse(legal.askedAt)).toBe(72 * 3_600_000);

    await new Promise((r) => setTimeout(r, 50));
    const approvedAt = Date.now();
    const vote = await http.as('legal@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'legal',
      decision: 'approve',
    });
    expect(vote.status).toBe(200);
    await eventually(async () => Boolean(await item('security@example.com')), 'security asked');
    const security = await item('security@example.com');
    expect(Date.parse(security.askedAt)).toBeGreaterThanOrEqual(approvedAt - 1_000);
    expect(Date.parse(security.askedAt)).toBeGreaterThan(submittedAt);

    // asked again after an amendment: a new time
    await new Promise((r) => setTimeout(r, 50));
    const sentBackAt = Date.now();
    const back = await http.as('security@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'security',
      decision: 'request_changes',
      comment: 'Say which data room',
    });
    expect(back.status).toBe(200);
    const amended = await http.as(
      'carol@example.com',
      'POST',
      `/api/requests/${id}/amend`,
      requestBody('ma_participation', { purpose: 'Due diligence in the data room of the seller' }),
    );
    expect(amended.status).toBe(200);
    await eventually(async () => {
      const again = (await item('security@example.com')) ?? (await item('legal@example.com'));
      return Boolean(again && Date.parse(again.askedAt) >= sentBackAt - 1_000);
    }, 'asked again after the amendment');
  });
});
