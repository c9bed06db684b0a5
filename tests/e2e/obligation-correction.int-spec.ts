import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

/**
 * A fulfilment recorded by mistake is corrected, never erased: the requester or security reopens the
 * obligation with a reason, on the record (issue 13).
 */
describe.each(testDatabases())('correcting a recorded obligation on $name', (database) => {
  const { http } = useSystem(database);

  /** carol's overseas assignment (hr and security, then legal and data governance), hr approving with two conditions. */
  async function approvedWithConditions(): Promise<string> {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', requestBody('overseas_assignment'));
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await eventually(async () => {
      const view = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
      if (view.status === 'approved' && view.obligations.length > 0) return view;
      for (const a of view.stages.flatMap((s: any) => s.approvals).filter((a: any) => a.status === 'pending')) {
        await http.as(MEMBER[a.party], 'POST', `/api/requests/${id}/decisions`, {
          party: a.party,
          decision: 'approve',
          ...(a.party === 'hr' ? { conditions: ['No source code on the laptop', 'Weekly check-in with HR'] } : {}),
        });
      }
      return undefined;
    }, 'the request approved with its obligations');
    return id;
  }

  const obligation = async (id: string, kind: string) =>
    (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body.obligations.find(
      (o: { kind: string }) => o.kind === kind,
    );

  it('should let the requester reopen an obligation recorded by mistake, with a reason, on the timeline and the audit chain', async () => {
    const id = await approvedWithConditions();
    expect((await http.as('carol@example.com', 'POST', `/api/requests/${id}/obligations/condition-1`, {})).status).toBe(
      200,
    );
    expect(await obligation(id, 'condition-1')).toMatchObject({
      status: 'fulfilled',
      fulfilledBy: 'carol@example.com',
    });

    const noReason = await http.as(
      'carol@example.com',
      'POST',
      `/api/requests/${id}/obligations/condition-1/correct`,
      {},
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);

    const reopened = await http.as('carol@example.com', 'POST', `/api/requests/${id}/obligations/condition-1/correct`, {
      reason: 'Ticked the wrong condition',
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('approved');
    expect(reopened.body.obligations.find((o: { kind: string }) => o.kind === 'condition-1')).toMatchObject({
      status: 'open',
      fulfilledBy: null,
    });
    // an open obligation has nothing to correct
    const again = await http.as('carol@example.com', 'POST', `/api/requests/${id}/obligations/condition-1/correct`, {
      reason: 'twice',
    });
    expect(again.status).toBe(409);

    const timeline = (await http.as('carol@example.com', 'GET', `/api/requests/${id}/timeline`)).body;
    const entry = timeline.items.find((e: { title: string }) => /reopened/i.test(e.title));
    expect(entry).toMatchObject({ actor: 'carol@example.com', detail: 'Reason: Ticked the wrong condition' });
    expect(entry.title).toBe('Obligation reopened: Condition 1');
    expect((await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify')).body.ok).toBe(true);

    // recorded again afterwards, as any open obligation
    expect((await http.as('carol@example.com', 'POST', `/api/requests/${id}/obligations/condition-1`, {})).status).toBe(
      200,
    );
    expect(await obligation(id, 'condition-1')).toMatchObject({ status: 'fulfilled' });
  });

  it('should let security correct a fulfilment, and nobody else', async () => {
    const id = await approvedWithConditions();
    await http.as('carol@example.com', 'POST', `/api/requests/${id}/obligations/condition-2`, {});
    const correct = (email: string) =>
      http.as(email, 'POST', `/api/requests/${id}/obligations/condition-2/correct`, { reason: 'No check-in happened' });
    expect((await correct('alice@example.com')).status).toBe(404); // may not read it: does not learn it exists
    expect((await correct('hr@example.com')).status).toBe(403); // a reader, not security
    expect((await correct('auditor@example.com')).status).toBe(403);
    expect(await obligation(id, 'condition-2')).toMatchObject({ status: 'fulfilled' });
    const bySecurity = await correct('security@example.com');
    expect(bySecurity.status).toBe(200);
    expect(await obligation(id, 'condition-2')).toMatchObject({ status: 'open' });
  });
});
