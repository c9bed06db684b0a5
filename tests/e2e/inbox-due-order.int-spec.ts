import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

interface InboxItem {
  requestId: string;
  party: string;
  askedAt: string | null;
  reminderDueAt: string | null;
  escalationDueAt: string | null;
  dueAt: string | null;
}

interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
  counts: Record<string, number>;
  total: number;
}

const HOUR = 3_600_000;

/**
 * Issues 13 and 15: "due soonest first" pages the whole inbox in due order (the stored due date:
 * the first reminder or escalation), not one page sorted on its own; the default stays newest first.
 */
describe.each(testDatabases())('the inbox soonest due first on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const inbox = async (query: string) => {
    const res = await http.as<InboxPage>('hr@example.com', 'GET', `/api/approvals/inbox?${query}`);
    expect([query, res.status]).toEqual([query, 200]);
    return res.body;
  };

  /** Publishes hr's reminder after `hours` (escalation twice as late), then submits a request hr is asked on. */
  const submitDueIn = async (hours: number): Promise<string> => {
    const policy = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    const published = await http.as('admin@example.com', 'PUT', '/api/policy', {
      ...policy,
      parties: {
        ...policy.parties,
        hr: {
          ...policy.parties.hr,
          deadlines: {
            reminderAfter: `${hours}h`,
            reminderEvery: `${hours}h`,
            escalateAfter: `${2 * hours}h`,
            expireAfter: '14d',
          },
        },
      },
    });
    expect(published.status).toBe(200);
    const res = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await eventually(async () => (await inbox(`requestId=${id}`)).items.length === 1, 'hr asked');
    return id;
  };

  const ids: Record<string, string> = {};

  it('should page the whole inbox soonest due first, the cursor continuing the order, newest first by default', async () => {
    // submitted in this order; due in 5 h, 1 h, 3 h and 24 h
    ids.five = await submitDueIn(5);
    ids.one = await submitDueIn(1);
    ids.three = await submitDueIn(3);
    ids.day = await submitDueIn(24);

    const first = await inbox('party=hr&sort=due&limit=2');
    expect(first.items.map((i) => i.requestId)).toEqual([ids.one, ids.three]);
    expect(first.nextCursor).not.toBeNull();
    const second = await inbox(`party=hr&sort=due&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((i) => i.requestId)).toEqual([ids.five, ids.day]);
    expect(second.nextCursor).toBeNull();
    for (const page of [first, second]) expect(page).toMatchObject({ counts: { hr: 4 }, total: 4 });

    // the stored due date is the first deadline counted from the asking, as the item's reminder says
    const items = [...first.items, ...second.items];
    for (const item of items) {
      expect(item.dueAt).toBe(item.reminderDueAt);
      expect(Date.parse(item.escalationDueAt!) - Date.parse(item.askedAt!)).toBe(
        2 * (Date.parse(item.dueAt!) - Date.parse(item.askedAt!)),
      );
    }
    expect(items.map((i) => Math.round((Date.parse(i.dueAt!) - Date.parse(i.askedAt!)) / HOUR))).toEqual([1, 3, 5, 24]);

    // one page of three, then the last
    const three = await inbox('party=hr&sort=due&limit=3');
    expect(three.items.map((i) => i.requestId)).toEqual([ids.one, ids.three, ids.five]);
    const rest = await inbox(`party=hr&sort=due&limit=3&cursor=${encodeURIComponent(three.nextCursor!)}`);
    expect(rest.items.map((i) => i.requestId)).toEqual([ids.day]);

    // the contract's order stays the default
    const newest = await inbox('party=hr');
    expect(newest.items.map((i) => i.requestId)).toEqual([ids.day, ids.three, ids.one, ids.five]);
    const submitted = await inbox('party=hr&sort=submitted&order=oldest');
    expect(submitted.items.map((i) => i.requestId)).toEqual([ids.five, ids.one, ids.three, ids.day]);
  });

  it('should leave a decided approval out of the due order and page on without it', async () => {
    const vote = await http.as('hr@example.com', 'POST', `/api/requests/${ids.three}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(vote.status).toBe(200);
    await eventually(async () => (await inbox('party=hr')).counts.hr === 3, 'hr decided');
    const first = await inbox('party=hr&sort=due&limit=1');
    expect(first.items.map((i) => i.requestId)).toEqual([ids.one]);
    const second = await inbox(`party=hr&sort=due&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((i) => i.requestId)).toEqual([ids.five]);
  });

  it('should refuse a sort it does not know, naming sort, and a cursor of the other order, naming cursor', async () => {
    for (const sort of ['soonest', 'DUE', '']) {
      const res = await http.as('hr@example.com', 'GET', `/api/approvals/inbox?sort=${sort}`);
      expect([sort, res.status]).toEqual([sort, 400]);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['sort']);
    }
    expect((await http.as('hr@example.com', 'GET', '/api/approvals/inbox?sort=due&sort=due')).status).toBe(400);

    const due = await inbox('party=hr&sort=due&limit=1');
    const newest = await inbox('party=hr&limit=1');
    for (const query of [
      `sort=due&cursor=${encodeURIComponent(newest.nextCursor!)}`,
      `cursor=${encodeURIComponent(due.nextCursor!)}`,
    ]) {
      const res = await http.as('hr@example.com', 'GET', `/api/approvals/inbox?party=hr&limit=1&${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    }
  });
});
