import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { workflowIdFor } from '@libs/contracts';
import { DecisionEntity, PassportEntity, RequestEntity } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';
import { PassportsService } from '../../apps/api/passports/passports.service';
import { grantAuthorizations } from '../support/authorizations';

const NUMBER = 'M70312987';

/** The passport custody cycle through HTTP, on a real dev server, database and SMTP capture. */
describe.each(testDatabases())('passport custody on $name', (database) => {
  let system: TestSystem;
  let http: Http;

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    // A test policy: passports are due back a second after the start of the return day, and
    // overdue items are chased every second and escalated after a second and a half.
    const policy = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    policy.afterApproval = {
      ...policy.afterApproval,
      passportGrace: '1s',
      reminderEvery: '1s',
      escalateAfter: '1500ms',
    };
    expect((await http.as('admin@example.com', 'PUT', '/api/policy', policy)).status).toBe(200);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const mailbox = async (to: string) =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;

  it('should record deposits for custodians only, validate them and mask the number everywhere', async () => {
    const body = {
      employeeEmail: 'alice@example.com',
      passportNumber: NUMBER,
      issuingCountry: 'KR',
      expiryDate: daysFromNow(2000),
    };
    expect((await http.as('carol@example.com', 'POST', '/api/passports', body)).status).toBe(403);
    expect((await http.request('POST', '/api/passports', { body })).status).toBe(401);
    const bad = await http.as('custodian@example.com', 'POST', '/api/passports', {
      employeeEmail: 'nobody@example.com',
      passportNumber: '12',
      issuingCountry: 'XX',
      expiryDate: '2020-01-01',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['expiryDate', 'issuingCountry', 'passportNumber']);

    const deposited = await http.as('custodian@example.com', 'POST', '/api/passports', body);
    expect(deposited.status).toBe(201);
    expect(deposited.body).toMatchObject({
      employeeEmail: 'alice@example.com',
      status: 'in_custody',
      passportNumber: '•••••987',
    });
    expect(deposited.text).not.toContain(NUMBER);

    expect(
      (await http.as('custodian@example.com', 'GET', '/api/passports?employee=alice@example.com')).body.items,
    ).toHaveLength(1);
    expect((await http.as('alice@example.com', 'GET', '/api/passports')).body.items).toHaveLength(1);
    expect((await http.as('carol@example.com', 'GET', '/api/passports')).body.items).toHaveLength(0);
    expect((await http.as('carol@example.com', 'GET', '/api/passports?employee=alice@example.com')).status).toBe(403);

    const rows = await system.app.get(DataSource).getRepository(PassportEntity).find();
    expect(JSON.stringify(rows)).not.toContain(NUMBER);
  });

  it('should refuse a release without a passport in custody, or for a trip that is not an approved one of yours', async () => {
    const none = await http.as('carol@example.com', 'POST', '/api/requests', requestBody('passport_release'));
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ code: 'NO_PASSPORT_IN_CUSTODY', message: expect.stringContaining('custody') });

    const pendingTrip = (await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'))).body;
    const linked = await http.as(
      'alice@example.com',
      'POST',
      '/api/requests',
      requestBody('passport_release', { details: { reason: 'trip', travelRequestId: pendingTrip.id } }),
    );
    expect(linked.status).toBe(409);
    expect(linked.body.code).toBe('TRAVEL_REQUEST_NOT_APPROVED');
  });

  it('should ready the passport on approval, release it with a due date on an identity-checked hand-out, chase it when overdue and take it back', async () => {
    const view = (
      await http.as(
        'alice@example.com',
        'POST',
        '/api/requests',
        requestBody('passport_release', { departureDate: daysFromNow(0), returnDate: daysFromNow(0) }),
      )
    ).body;
    // alice is core: the exit approval that holds her passport is granted up front
    await grantAuthorizations(http, view);
    expect(view.stages[0].approvals.map((a: any) => a.party).sort()).toEqual(['hr', 'security']);
    await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, { party: 'hr', decision: 'approve' });
    const approved = await http.as('security@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'security',
      decision: 'approve',
    });
    expect(approved.body.status).toBe('approved');

    // Approval readies the passport; it stays in the vault until the custodian hands it out.
    const ready = await eventually(async () => {
      const [p] = (await http.as('custodian@example.com', 'GET', '/api/passports?employee=alice@example.com')).body
        .items;
      return p.status !== 'in_custody' ? p : undefined;
    }, 'the passport to be ready for hand-out');
    expect(ready).toMatchObject({
      status: 'ready_for_hand_out',
      releaseRequestId: view.id,
      dueBackAt: null,
      handedOutBy: null,
    });

    const handOutMail = await eventually(
      async () => (await mailbox('custodian@example.com')).find((m) => m.text.includes(view.reference)),
      'the hand-out email',
    );
    expect(handOutMail.subject).toContain('•••••987');
    expect(handOutMail.text).toContain('checking their identity');

    // Not handed out yet: it cannot come back; the hand-out needs the identity check and the right request.
    const early = await http.as('custodian@example.com', 'POST', `/api/passports/${ready.id}/return`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('PASSPORT_NOT_READY');
    const unchecked = await http.as('custodian@example.com', 'POST', `/api/passports/${ready.id}/hand-out`, {
      requestId: view.id,
      identityChecked: false,
    });
    expect(unchecked.status).toBe(400);
    expect(unchecked.body.errors.map((e: any) => e.field)).toEqual(['identityChecked']);
    const otherRequest = await http.as('custodian@example.com', 'POST', `/api/passports/${ready.id}/hand-out`, {
      requestId: randomUUID(),
      identityChecked: true,
    });
    expect(otherRequest.status).toBe(409);
    expect(otherRequest.body.code).toBe('PASSPORT_NOT_READY');
    expect(
      (
        await http.as('alice@example.com', 'POST', `/api/passports/${ready.id}/hand-out`, {
          requestId: view.id,
          identityChecked: true,
        })
      ).status,
    ).toBe(403);

    // The ledger says ready a moment before the custody workflow that takes the hand-out has started.
    const handedOut = await eventually(async () => {
      const answer = await http.as('custodian@example.com', 'POST', `/api/passports/${ready.id}/hand-out`, {
        requestId: view.id,
        identityChecked: true,
      });
      return answer.status === 409 && answer.body.message.includes('being prepared') ? undefined : answer;
    }, 'the hand-out');
    expect(handedOut.status).toBe(200);
    const released = handedOut.body;
    expect(released).toMatchObject({
      status: 'released',
      releaseRequestId: view.id,
      handedOutBy: 'custodian@example.com',
      handedOutAt: expect.any(String),
      dueBackAt: `${daysFromNow(0)}T00:00:01.000Z`,
    });
    const again = await http.as('custodian@example.com', 'POST', `/api/passports/${ready.id}/hand-out`, {
      requestId: view.id,
      identityChecked: true,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PASSPORT_NOT_READY');

    // Already past its due date: overdue, the employee is reminded and security is told.
    await eventually(async () => {
      const [p] = (await http.as('custodian@example.com', 'GET', '/api/passports?employee=alice@example.com')).body
        .items;
      return p.status === 'overdue';
    }, 'the passport to be overdue');
    await eventually(
      async () => (await mailbox('alice@example.com')).find((m) => m.subject.includes('return passport')),
      'the reminder',
    );
    await eventually(
      async () => (await mailbox('security@example.com')).find((m) => m.subject.includes('Escalation: passport')),
      'the escalation',
      10_000,
    );

    const withObligations = (await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`)).body;
    expect(withObligations.obligations.map((o: any) => o.kind).sort()).toEqual(['passport_return', 'training']);
    expect(
      (await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/obligations/passport_return`)).status,
    ).toBe(409);

    const back = await http.as('custodian@example.com', 'POST', `/api/passports/${released.id}/return`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'in_custody', returnedAt: expect.any(String) });
    expect((await http.as('custodian@example.com', 'POST', `/api/passports/${released.id}/return`)).status).toBe(409);

    await eventually(async () => {
      const v = (await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`)).body;
      return v.obligations.find((o: any) => o.kind === 'passport_return')?.status === 'fulfilled';
    }, 'the passport obligation to be met');
    expect((await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/obligations/training`)).status).toBe(403);
    const closed = await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/obligations/training`, {
      note: 'done online',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.obligations.find((o: any) => o.kind === 'training')).toMatchObject({
      status: 'fulfilled',
      fulfilledBy: 'alice@example.com',
    });

    // The number is in no email, no database row and no workflow history.
    const everyMail = await http.request<any[]>('GET', '/dev/mailbox');
    expect(JSON.stringify(everyMail.body)).not.toContain(NUMBER);
    const ds = system.app.get(DataSource);
    expect(JSON.stringify(await ds.getRepository(RequestEntity).find())).not.toContain(NUMBER);
    const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    try {
      const raw = new Client({ connection });
      const history = await raw.workflow.getHandle(workflowIdFor(view.id)).fetchHistory();
      expect(JSON.stringify(history)).not.toContain(NUMBER);
      expect(Buffer.from(JSON.stringify(history)).toString('base64')).not.toContain(
        Buffer.from(NUMBER).toString('base64'),
      );
    } finally {
      await connection.close();
    }
  });

  it('should confirm a custody decision taken from an email link with a one-time code, and record it', async () => {
    const body = {
      employeeEmail: 'dave@example.com',
      passportNumber: 'X1234567',
      issuingCountry: 'KR',
      expiryDate: daysFromNow(900),
    };
    expect((await http.as('custodian@example.com', 'POST', '/api/passports', body)).status).toBe(201);
    const view = (await http.as('dave@example.com', 'POST', '/api/requests', requestBody('passport_release'))).body;
    const claims = (link: string) =>
      JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());
    const link = await eventually(
      async () =>
        (await mailbox('security@example.com'))
          .flatMap((m) => m.links as string[])
          .find((l) => claims(l).rid === view.id),
      'the security link',
    );

    const asked = await http.request('POST', link, {
      form: { decision: 'approve', comment: 'ok', conditions: 'return by Friday' },
    });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('One-time code');
    const pending = (await http.as('dave@example.com', 'GET', `/api/requests/${view.id}`)).body;
    expect(pending.stages[0].approvals.find((a: any) => a.party === 'security').status).toBe('pending');

    const codeMail = await eventually(
      async () => (await mailbox('security@example.com')).find((m) => m.subject.includes('confirmation code')),
      'the code',
    );
    const code = /code is (\d{6})/.exec(codeMail.text)![1];
    const wrong = code === '000000' ? '111111' : '000000';
    expect(
      (await http.request('POST', link, { form: { decision: 'approve', comment: 'ok', code: wrong } })).status,
    ).toBe(400);
    const confirmed = await http.request('POST', link, {
      form: { decision: 'approve', comment: 'ok', conditions: 'return by Friday', code },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Decision recorded');
    const decided = (await http.as('dave@example.com', 'GET', `/api/requests/${view.id}`)).body;
    expect(decided.stages[0].approvals.find((a: any) => a.party === 'security')).toMatchObject({
      status: 'approved',
      decidedBy: 'security@example.com',
      conditions: ['return by Friday'],
    });
    const [decision] = await system.app
      .get(DataSource)
      .getRepository(DecisionEntity)
      .findBy({ requestId: view.id, party: 'security' });
    expect(decision.via).toBe('email-otp');
    // The code works once.
    expect((await http.request('POST', link, { form: { decision: 'approve', code } })).status).toBe(409);
  });

  it('should page the ledger newest first with a cursor, filter it by status, and give the custodian page a More link', async () => {
    const ids: string[] = [];
    for (const n of ['P1000001', 'P1000002', 'P1000003']) {
      const d = await http.as('custodian@example.com', 'POST', '/api/passports', {
        employeeEmail: 'dave@example.com',
        passportNumber: n,
        issuingCountry: 'DE',
        expiryDate: daysFromNow(2000),
      });
      expect(d.status).toBe(201);
      ids.push(d.body.id);
    }
    const first = await http.as('custodian@example.com', 'GET', '/api/passports?employee=dave@example.com&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((p: any) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await http.as(
      'custodian@example.com',
      'GET',
      `/api/passports?employee=dave@example.com&limit=2&cursor=${first.body.nextCursor}`,
    );
    // dave's passport from the release above is older still
    expect(second.body.items.map((p: any) => p.id)).toEqual([ids[0], expect.any(String)]);
    expect(second.body.items[1].id).not.toBe(ids[1]);

    const inCustody = await http.as('custodian@example.com', 'GET', '/api/passports?status=in_custody&limit=100');
    expect(inCustody.body.items.every((p: any) => p.status === 'in_custody')).toBe(true);
    expect(inCustody.body.items.map((p: any) => p.id)).toEqual(expect.arrayContaining(ids));
    expect((await http.as('custodian@example.com', 'GET', '/api/passports?status=lost')).status).toBe(400);
    expect((await http.as('custodian@example.com', 'GET', '/api/passports?limit=0')).status).toBe(400);
    expect((await http.as('custodian@example.com', 'GET', '/api/passports?cursor=nonsense')).status).toBe(400);
    for (const days of ['soon', '-1', '366', '1.5']) {
      const bad = await http.as('custodian@example.com', 'GET', `/api/passports?status=released&dueWithinDays=${days}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: any) => e.field)).toEqual(['dueWithinDays']);
    }

    // The custodian's page shows 50 at a time and follows the cursor with "More".
    for (let i = 0; i < 48; i++) {
      const d = await http.as('custodian@example.com', 'POST', '/api/passports', {
        employeeEmail: 'dave@example.com',
        passportNumber: `Q${String(3000100 + i)}`,
        issuingCountry: 'DE',
        expiryDate: daysFromNow(2000),
      });
      expect(d.status).toBe(201);
    }
    const cookie = `clearance_session=${await http.token('custodian@example.com')}`;
    const page = await http.request('GET', '/app/custody?employee=dave@example.com', { headers: { cookie } });
    expect(page.status).toBe(200);
    const more = /<a href="([^"]+)" id="more">More<\/a>/
      .exec(page.text)?.[1]
      ?.replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    expect(more).toMatch(/^\/app\/custody\?employee=dave%40example.com&cursor=/);
    const next = await http.request('GET', more!, { headers: { cookie } });
    expect(next.status).toBe(200);
    expect(next.text).toMatch(/001 \(Germany\)/);
    expect(next.text).not.toContain('id="more"');
  });
  it('should refuse a second deposit of a passport that has an active record, also when both arrive at once', async () => {
    const body = {
      employeeEmail: 'carol@example.com',
      passportNumber: 'D55501234',
      issuingCountry: 'FR',
      expiryDate: daysFromNow(1500),
    };
    const [one, two] = await Promise.all([
      http.as('custodian@example.com', 'POST', '/api/passports', body),
      http.as('custodian@example.com', 'POST', '/api/passports', body),
    ]);
    expect([one.status, two.status].sort()).toEqual([201, 409]);
    const first = one.status === 201 ? one.body : two.body;

    // Same passport, written another way, or deposited for someone else: still the same passport.
    for (const again of [
      body,
      { ...body, passportNumber: 'd55501234', issuingCountry: 'fr' },
      { ...body, employeeEmail: 'dave@example.com' },
    ]) {
      const refused = await http.as('custodian@example.com', 'POST', '/api/passports', again);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        code: 'PASSPORT_IN_CUSTODY',
        message: expect.stringContaining('already in the ledger'),
      });
      expect(refused.body.message).toContain(first.id);
      expect(refused.text).not.toContain('D55501234');
    }
    // Another country's passport with the same number is another passport.
    expect(
      (await http.as('custodian@example.com', 'POST', '/api/passports', { ...body, issuingCountry: 'BE' })).status,
    ).toBe(201);
    const rows = await system.app
      .get(DataSource)
      .getRepository(PassportEntity)
      .findBy({ employeeEmail: 'carol@example.com' });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.numberFingerprint ?? ''))).toBe(true);
  });

  it('should fingerprint on start the passports stored before fingerprints, leaving a duplicate unfingerprinted', async () => {
    const ds = system.app.get(DataSource);
    const body = {
      employeeEmail: 'legal@example.com',
      passportNumber: 'B77700011',
      issuingCountry: 'NL',
      expiryDate: daysFromNow(1500),
    };
    const stored = (await http.as('custodian@example.com', 'POST', '/api/passports', body)).body;
    // A ledger from before this release: no fingerprint, and the passport deposited twice.
    await ds.getRepository(PassportEntity).update({ id: stored.id }, { numberFingerprint: null });
    const copy = await http.as('custodian@example.com', 'POST', '/api/passports', body);
    expect(copy.status).toBe(201);
    await ds.getRepository(PassportEntity).update({ id: stored.id }, { numberFingerprint: null });
    await ds.getRepository(PassportEntity).update({ id: copy.body.id }, { numberFingerprint: null });

    await system.app.get(PassportsService).onApplicationBootstrap();
    const [older, newer] = await Promise.all([
      ds.getRepository(PassportEntity).findOneByOrFail({ id: stored.id }),
      ds.getRepository(PassportEntity).findOneByOrFail({ id: copy.body.id }),
    ]);
    expect(older.numberFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(newer.numberFingerprint).toBeNull();
    expect((await http.as('custodian@example.com', 'POST', '/api/passports', body)).status).toBe(409);
  });
});
