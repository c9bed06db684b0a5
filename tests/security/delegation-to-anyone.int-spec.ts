import { DataSource } from 'typeorm';
import { AuditLogEntity, DelegationEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 3: hr delegates to carol (an employee, not an approver) until 2099. The API said
 * 200, carol read every request hr ever saw and decided for hr; nothing reached the audit log and
 * the leads were not told. A delegate is a fellow member of the party, for a period the policy
 * bounds, on the record; and a delegation never opens what was decided before it began.
 */
describe.each(testDatabases())('delegation to anyone on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const dataSource = () => used.system.app.get(DataSource);
  const auditRows = (event: string) =>
    dataSource()
      .getRepository(AuditLogEntity)
      .find({ where: { event }, order: { seq: 'ASC' } });
  const mailbox = async (to: string): Promise<any[]> =>
    (await http.request('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  const submit = async () => {
    const res = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const approveAs = async (email: string, id: string) => {
    const res = await http.as(email, 'POST', `/api/requests/${id}/decisions`, { party: 'hr', decision: 'approve' });
    expect(res.status).toBe(200);
  };
  const listedFor = async (email: string): Promise<string[]> =>
    (await http.as(email, 'GET', '/api/requests?limit=100')).body.items.map((r: any) => r.id);

  it('should refuse delegating to someone who is not a member of the party, for years, naming the fields', async () => {
    const res = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'carol@example.com',
      from: daysFromNow(0),
      until: '2099-12-31',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'delegateEmail', messages: [expect.stringContaining('not a member or lead of hr')] },
      { field: 'until', messages: [expect.stringContaining('at most 30 days')] },
    ]);
    expect((await http.as('hr@example.com', 'GET', '/api/me/delegation')).body).toEqual({ delegation: null });
    expect(await auditRows('delegation.set')).toEqual([]);
  });

  it('should refuse a period that starts in the past, ends before it starts or outlasts the policy', async () => {
    const refused = async (from: string, until: string) => {
      const res = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
        delegateEmail: 'hr-lead@example.com',
        from,
        until,
      });
      expect(res.status).toBe(400);
      return res.body.errors.map((e: any) => e.field);
    };
    expect(await refused(daysFromNow(-1), daysFromNow(3))).toEqual(['from']);
    expect(await refused(daysFromNow(5), daysFromNow(4))).toEqual(['until']);
    expect(await refused(daysFromNow(1), daysFromNow(31))).toEqual(['until']);
    // 30 days, both ends included, is the default cap
    const ok = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(1),
      until: daysFromNow(30),
    });
    expect(ok.status).toBe(200);
    expect((await http.as('hr@example.com', 'DELETE', '/api/me/delegation')).status).toBe(204);
  });

  it("should write setting, changing and ending a delegation to the audit chain and tell the party's leads", async () => {
    await http.request('DELETE', '/dev/mailbox');
    const before = (await auditRows('delegation.set')).length;
    const set = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(6),
    });
    expect(set.status).toBe(200);
    const changed = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(9),
    });
    expect(changed.status).toBe(200);
    expect((await http.as('hr@example.com', 'DELETE', '/api/me/delegation')).status).toBe(204);

    const setRows = await auditRows('delegation.set');
    expect(setRows.length).toBe(before + 1);
    expect(setRows[setRows.length - 1]).toMatchObject({ actor: 'hr@example.com', requestId: null });
    expect(JSON.parse(setRows[setRows.length - 1].payload)).toEqual({
      delegatorEmail: 'hr@example.com',
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(6),
      parties: ['hr'],
    });
    const changedRows = await auditRows('delegation.changed');
    expect(JSON.parse(changedRows[changedRows.length - 1].payload)).toMatchObject({
      until: daysFromNow(9),
      previous: { delegateEmail: 'hr-lead@example.com', from: daysFromNow(0), until: daysFromNow(6) },
    });
    const endedRows = await auditRows('delegation.ended');
    expect(endedRows[endedRows.length - 1]).toMatchObject({ actor: 'hr@example.com' });
    expect((await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify')).body).toMatchObject({ ok: true });

    const told = await eventually(
      async () => {
        const mails = await mailbox('hr-lead@example.com');
        return mails.length >= 3 ? mails : undefined;
      },
      "the hr lead's three notices",
      5_000,
    );
    const subjects = told.map((m) => m.subject as string);
    expect(subjects).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/delegat.*set/i),
        expect.stringMatching(/delegat.*changed/i),
        expect.stringMatching(/delegat.*ended/i),
      ]),
    );
    expect(told.map((m) => m.text).join('\n')).toContain('hr@example.com');
  });

  it('should let a delegate read only what was pending for the party during the window', async () => {
    // hr decided this one before any delegation existed
    const decidedBefore = await submit();
    await approveAs('hr@example.com', decidedBefore);
    // A delegation stored before the bounds existed (attack 3 as it sits in a database today):
    // carol is no member of hr, so only the delegation can open anything to her.
    await dataSource()
      .getRepository(DelegationEntity)
      .save({
        delegatorEmail: 'hr@example.com',
        delegateEmail: 'carol@example.com',
        startsOn: daysFromNow(0),
        endsOn: '2099-12-31',
        createdAt: new Date().toISOString(),
      });
    const pendingInWindow = await submit();
    const decidedInWindow = await submit();
    await approveAs('hr-lead@example.com', decidedInWindow);

    for (const id of [pendingInWindow, decidedInWindow]) {
      expect((await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).status).toBe(200);
    }
    for (const path of [`/api/requests/${decidedBefore}`, `/api/requests/${decidedBefore}/timeline`]) {
      expect((await http.as('carol@example.com', 'GET', path)).status).toBe(404);
    }
    const listed = await listedFor('carol@example.com');
    expect(listed).toEqual(expect.arrayContaining([pendingInWindow, decidedInWindow]));
    expect(listed).not.toContain(decidedBefore);
  });

  it('should give no access through a delegation that has expired', async () => {
    const pending = await submit();
    await dataSource()
      .getRepository(DelegationEntity)
      .save({
        delegatorEmail: 'hr@example.com',
        delegateEmail: 'carol@example.com',
        startsOn: daysFromNow(-10),
        endsOn: daysFromNow(-3),
        createdAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
      });
    expect((await http.as('carol@example.com', 'GET', `/api/requests/${pending}`)).status).toBe(404);
    expect(await listedFor('carol@example.com')).not.toContain(pending);
    const inbox = await http.as('carol@example.com', 'GET', '/api/approvals/inbox');
    expect(inbox.body.items.map((i: any) => i.requestId)).not.toContain(pending);
    const decision = await http.as('carol@example.com', 'POST', `/api/requests/${pending}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(decision.status).toBe(404);
  });
});

describe.each(testDatabases())('delegation when the leads cannot be told on $name', (database) => {
  // Nothing listens on port 1: every mail fails to send (the 503s it causes are expected: not logged).
  const used = useSystem(database, { SMTP_URL: 'smtp://127.0.0.1:1', LOG_LEVEL: 'fatal' });
  const { http } = used;

  it('should change nothing, and record nothing, when the notice to the leads cannot be sent', async () => {
    const res = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(6),
    });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('UNAVAILABLE');
    expect((await http.as('hr@example.com', 'GET', '/api/me/delegation')).body).toEqual({ delegation: null });
    const rows = await used.system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { event: 'delegation.set' } });
    expect(rows).toEqual([]);
  });
});
