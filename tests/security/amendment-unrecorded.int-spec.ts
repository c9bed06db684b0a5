import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody, sendBack } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 9: an amendment left no record of what changed. The audit log had a state row
 * with no actor, the timeline no "amended by" entry and no before/after, and the approvers asked
 * again were not told what changed. An amendment is recorded as one: who, and field by field.
 */
describe.each(testDatabases())('an amendment is recorded as an amendment on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const plain = requestBody('conference', {
    destinationCountry: 'US',
    departureDate: daysFromNow(30),
    technologyAreas: ['none'],
    dataCategories: ['none'],
    details: { eventName: 'Example Conf', presenting: false },
  });

  async function amendedRequest(changes: Record<string, unknown>): Promise<string> {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', plain);
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await sendBack(http, id, 'hr', 'hr@example.com', 'name the event organiser');
    const amended = await http.as('carol@example.com', 'POST', `/api/requests/${id}/amend`, { ...plain, ...changes });
    expect(amended.status).toBe(200);
    return id;
  }

  const auditRows = async (id: string) =>
    used.system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { requestId: id }, order: { seq: 'ASC' } });

  it('should keep an audit entry with the actor and the changes field by field', async () => {
    const id = await amendedRequest({ destinationCountry: 'FR', departureDate: daysFromNow(31) });
    const rows = await auditRows(id);
    const amended = rows.filter((r) => r.event === 'request.amended');
    expect(amended).toHaveLength(1);
    expect(amended[0].actor).toBe('carol@example.com');
    expect(JSON.parse(amended[0].payload)).toMatchObject({
      requestId: id,
      round: 2,
      changes: [
        { field: 'destinationCountry', before: 'US', after: 'FR' },
        { field: 'departureDate', before: daysFromNow(30), after: daysFromNow(31) },
      ],
      routeChanged: false,
    });
    // The state the amendment produced is the requester's doing, on the record.
    const stateAfter = rows.filter((r) => r.event === 'request.state' && JSON.parse(r.payload).round === 2);
    expect(stateAfter[0].actor).toBe('carol@example.com');
    expect((await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify')).body).toMatchObject({ ok: true });
  });

  it('should show the amendment on the timeline with its before and after', async () => {
    const id = await amendedRequest({ destinationCountry: 'FR', purpose: 'Meet the organisers' });
    const timeline = (await http.as('carol@example.com', 'GET', `/api/requests/${id}/timeline`)).body.items;
    const entry = timeline.find((e: any) => e.kind === 'amended');
    expect(entry).toMatchObject({ actor: 'carol@example.com' });
    expect(entry.title).toMatch(/^Amended by Carol/);
    expect(entry.detail).toContain('destination United States → France');
    expect(entry.detail).toContain('purpose "Present a paper" → "Meet the organisers"');
  });

  it('should tell the approvers asked again what changed and what they said before', async () => {
    const id = await amendedRequest({ destinationCountry: 'FR' });
    const mail = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr%40example.com')).body;
      return mails.find((m) => m.text.includes('What changed') && m.links.some((l: string) => l)) ?? false;
    }, 'the re-ask email to hr');
    expect(mail.text).toContain('Amended by Carol');
    expect(mail.text).toContain('destination United States → France');
    expect(mail.text).toContain('name the event organiser');
    expect(mail.html).toContain('What changed');
    void id;
  });

  it('should show on the timeline and in the audit log why the route changed', async () => {
    const id = await amendedRequest({ destinationCountry: 'IR' });
    const replan = (await auditRows(id)).find((r) => r.event === 'request.amended')!;
    expect(JSON.parse(replan.payload)).toMatchObject({
      routeChanged: true,
      addedParties: ['security'],
    });
    const timeline = (await http.as('carol@example.com', 'GET', `/api/requests/${id}/timeline`)).body.items;
    const entry = timeline.find((e: any) => e.kind === 'route_changed');
    // in words: the party by its label, the country by its name (the audit payload keeps the codes)
    expect(entry.title).toMatch(/^Route changed after amendment: Security added because destination Iran is rated/);
    expect(entry.title).not.toMatch(/\bIR\b|security added/);
    // the email asking security says it in the same words
    const mail = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=security%40example.com')).body;
      return mails.find((m) => m.text.includes('Route changed after amendment')) ?? false;
    }, 'the route change in the email to security');
    expect(mail.text).toContain('Route changed after amendment: Security added because destination Iran is rated');
    expect(mail.text).not.toMatch(/security added|destination IR\b/);
    const view = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
    expect(view.routeChanges).toEqual([
      expect.objectContaining({ round: 2, added: ['security'], removed: [], reasons: expect.any(Array) }),
    ]);
  });
});
