import { DataSource } from 'typeorm';
import { DomainError } from '../../apps/api/common/domain-error';
import { TemporalGateway } from '../../apps/api/temporal/temporal.gateway';
import { decideUpdate, workflowIdFor } from '@libs/contracts';
import { AuditLogEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';
import { useBareTemporalClient, useSystem } from '../support/system';

/**
 * Issue 12, item 10: an approver reads round 1 of a request, the requester amends it (round 2),
 * and the approval made on round 1's content lands on round 2's. A decision is bound to the round
 * it was made on: one for a round an amendment has since replaced is refused with 409
 * ROUND_CHANGED and leaves no trace, whether the form sent its round or the API filled in the round
 * of the view it read just before the amendment won the race.
 */
describe.each(testDatabases())('a decision made on an amended round is refused on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  const client = useBareTemporalClient(used);

  const view = async (id: string) => (await http.as('auditor@example.com', 'GET', `/api/requests/${id}`)).body;
  const auditRows = (id: string) =>
    used.system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .count({ where: { requestId: id } });
  const acceptedUpdates = async (id: string) =>
    ((await client.workflow.getHandle(workflowIdFor(id)).fetchHistory()).events ?? []).filter(
      (e) => !!e.workflowExecutionUpdateAcceptedEventAttributes,
    ).length;

  /** A request sent back by legal in round 1 and amended by its requester: now in round 2. */
  async function amendedRequest(): Promise<any> {
    const submitted = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    const sentBack = await http.as('legal@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'legal',
      decision: 'request_changes',
      comment: 'name the sessions',
    });
    expect(sentBack.body).toMatchObject({ status: 'changes_requested', round: 1 });
    const amended = await http.as(
      'alice@example.com',
      'POST',
      `/api/requests/${id}/amend`,
      requestBody('conference', { purpose: 'Present a paper and chair a session' }),
    );
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ status: 'pending', round: 2 });
    return amended.body;
  }

  it('should refuse with 409 a decision the form made on round 1, and leave no trace', async () => {
    const request = await amendedRequest();
    const before = await view(request.id);
    const rows = await auditRows(request.id);
    const updates = await acceptedUpdates(request.id);

    const late = await http.as('hr@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      round: 1,
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'ROUND_CHANGED', message: expect.stringMatching(/amended since.*reload/) });

    expect(await view(request.id)).toEqual(before);
    expect(await auditRows(request.id)).toBe(rows);
    expect(await acceptedUpdates(request.id)).toBe(updates);

    // Made on the round it shows, the same decision goes through.
    const current = await http.as('hr@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      round: 2,
    });
    expect(current.status).toBe(200);
    expect(current.body.stages[0].approvals.find((a: any) => a.party === 'hr').status).toBe('approved');
  });

  it('should refuse a decision the API bound to the round it read, when the amendment landed first', async () => {
    const request = await amendedRequest();
    const before = await view(request.id);
    const updates = await acceptedUpdates(request.id);

    // What the API sends when it read round 1 just before the amendment was applied.
    const sent = used.system.app.get(TemporalGateway).update(request.id, decideUpdate, {
      party: 'security',
      decision: 'approve',
      actorEmail: 'security@example.com',
      onBehalfOf: null,
      comment: null,
      conditions: [],
      decidedAt: new Date().toISOString(),
      via: 'api',
      round: 1,
    });
    await expect(sent).rejects.toBeInstanceOf(DomainError);
    await expect(sent).rejects.toMatchObject({ code: 'ROUND_CHANGED', status: 409 });

    expect(await view(request.id)).toEqual(before);
    expect(await acceptedUpdates(request.id)).toBe(updates);
  });

  it('should take a decision without a round on the current round and name a bad round field', async () => {
    const request = await amendedRequest();
    const decided = await http.as('security@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'security',
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    const bad = await http.as('hr@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      round: 'one',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['round']);
  });
});
