import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

/** The rules a person would expect of dates and obligations, through HTTP (issue 13). */
describe.each(testDatabases())('data rules a person expects on $name', (database) => {
  const { http } = useSystem(database);

  it('should refuse a departure abroad whose last working day is after the departure date, naming the field', async () => {
    const late = requestBody('departure_abroad', {
      departureDate: daysFromNow(30),
      returnDate: daysFromNow(30),
      details: { newEmployer: 'Example Labs Ltd', lastWorkingDay: daysFromNow(31) },
    });
    const refused = await http.as('carol@example.com', 'POST', '/api/requests', late);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['details.lastWorkingDay']);
    expect(JSON.stringify(refused.body)).toMatch(/on or before the departure date/);
    // the preview runs the same rule
    const preview = await http.as('carol@example.com', 'POST', '/api/policy/evaluate', late);
    expect(preview.status).toBe(400);

    const onTheDay = await http.as('carol@example.com', 'POST', '/api/requests', {
      ...late,
      details: { newEmployer: 'Example Labs Ltd', lastWorkingDay: daysFromNow(30) },
    });
    expect(onTheDay.status).toBe(201);
  });

  it('should refuse to record a debrief before the trip has ended, with a clear message', async () => {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    const approved = await eventually(async () => {
      const view = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
      if (view.status === 'approved') return view.obligations.length > 0 ? view : undefined;
      for (const a of view.stages.flatMap((s: any) => s.approvals).filter((a: any) => a.status === 'pending')) {
        await http.as(MEMBER[a.party], 'POST', `/api/requests/${id}/decisions`, {
          party: a.party,
          decision: 'approve',
        });
      }
      return undefined;
    }, 'the request approved');
    expect(approved.obligations.map((o: { kind: string }) => o.kind)).toContain('debrief');

    const early = await http.as('carol@example.com', 'POST', `/api/requests/${id}/obligations/debrief`, {});
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/after the trip.*return date/);
    const after = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
    expect(after.obligations.find((o: { kind: string }) => o.kind === 'debrief').status).toBe('open');
  });

  it('should say in the preview what submit would refuse: a passport release with no passport in custody', async () => {
    const body = requestBody('passport_release');
    const preview = await http.as('dave@example.com', 'POST', '/api/policy/evaluate', body);
    expect(preview.status).toBe(201); // evaluate answers as POST /api/policy/evaluate always has
    expect(preview.body.problems).toEqual([
      expect.objectContaining({ code: 'NO_PASSPORT_IN_CUSTODY', message: expect.stringMatching(/custody/) }),
    ]);
    const submit = await http.as('dave@example.com', 'POST', '/api/requests', body);
    expect(submit.status).toBe(409);
    expect(submit.body.code).toBe('NO_PASSPORT_IN_CUSTODY');

    const fine = await http.as('dave@example.com', 'POST', '/api/policy/evaluate', requestBody('conference'));
    expect(fine.body.problems).toEqual([]);
  });

  it('should give the inbox oldest first on request (a work queue), paging on with the cursor', async () => {
    const ids: string[] = [];
    for (const purpose of ['First of three', 'Second of three', 'Third of three']) {
      const res = await http.as(
        'carol@example.com',
        'POST',
        '/api/requests',
        requestBody('conference', { destinationCountry: 'NO', purpose }),
      );
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
    }
    await eventually(async () => {
      const inbox = (await http.as('hr@example.com', 'GET', '/api/approvals/inbox?party=hr&destination=NO')).body;
      return inbox.items.length === 3;
    }, 'three in the inbox');
    const first = await http.as(
      'hr@example.com',
      'GET',
      '/api/approvals/inbox?party=hr&destination=NO&order=oldest&limit=2',
    );
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { requestId: string }) => i.requestId)).toEqual(ids.slice(0, 2));
    const second = await http.as(
      'hr@example.com',
      'GET',
      `/api/approvals/inbox?party=hr&destination=NO&order=oldest&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.items.map((i: { requestId: string }) => i.requestId)).toEqual(ids.slice(2));
    expect(second.body.nextCursor).toBeNull();
    const newest = await http.as('hr@example.com', 'GET', '/api/approvals/inbox?party=hr&destination=NO');
    expect(newest.body.items.map((i: { requestId: string }) => i.requestId)).toEqual([...ids].reverse());
    const bad = await http.as('hr@example.com', 'GET', '/api/approvals/inbox?order=sideways');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('order');
  });
});
