import { DataSource, type Repository } from 'typeorm';
import { AuditLogEntity, auditRowHash } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';
import { grantAuthorizations } from '../support/authorizations';

const NUMBER = 'K55501234';

/** The tamper-evident audit log through HTTP: written by the worker and the API, verified by auditors. */
describe.each(testDatabases())('audit chain on $name', (database) => {
  let system: TestSystem;
  let http: Http;
  let auditLog: Repository<AuditLogEntity>;
  let requestId: string;

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    auditLog = system.app.get(DataSource).getRepository(AuditLogEntity);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const verify = async (email = 'auditor@example.com') => http.as(email, 'GET', '/api/audit/chain/verify');
  const rowsOf = (id: string) => auditLog.find({ where: { requestId: id }, order: { seq: 'ASC' } });

  it('should log a request from submission to approval, a deposit and a policy, in one valid chain', async () => {
    const deposit = await http.as('custodian@example.com', 'POST', '/api/passports', {
      employeeEmail: 'alice@example.com',
      passportNumber: NUMBER,
      issuingCountry: 'KR',
      expiryDate: daysFromNow(2000),
    });
    expect(deposit.status).toBe(201);
    const policy = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    expect((await http.as('admin@example.com', 'PUT', '/api/policy', policy)).status).toBe(200);

    const submitted = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(submitted.status).toBe(201);
    requestId = submitted.body.id;
    for (const [email, party] of [
      ['hr@example.com', 'hr'],
      ['legal@example.com', 'legal'],
      ['security@example.com', 'security'],
      ['datagov-lead@example.com', 'data_governance'],
    ]) {
      const decided = await http.as(email, 'POST', `/api/requests/${requestId}/decisions`, {
        party,
        decision: 'approve',
        ...(party === 'hr' ? { comment: 'fine', conditions: ['clean laptop only'] } : {}),
      });
      expect(decided.status).toBe(200);
    }
    // alice is core: every party approved, and the official exit approval is recorded as granted
    await grantAuthorizations(http, submitted.body);
    // After approval the workflow records the trip's obligations as one more state; the tampering tests
    // below rewrite the chain's tail, so they need that last row written first.
    const obligations = await eventually(async () => {
      const view = await http.as('alice@example.com', 'GET', `/api/requests/${requestId}`);
      return view.body.obligations?.length > 0 && view.body.obligations;
    }, 'the obligations of the approved request');
    expect(obligations.length).toBeGreaterThan(0);
    const rows = await eventually(async () => {
      const found = await rowsOf(requestId);
      return found.filter((r) => r.event === 'request.state').length === 6 && found;
    }, 'the approved state and the obligations state in the audit log');

    expect(rows[0]).toMatchObject({ event: 'request.submitted', actor: 'alice@example.com' });
    expect(JSON.parse(rows[0].payload)).toMatchObject({
      requestId,
      type: 'conference',
      requester: { email: 'alice@example.com', tier: 'core' },
      policyVersion: 2,
      stages: [{ index: 1, parties: expect.arrayContaining(['hr', 'legal', 'security', 'data_governance']) }],
      screeningHits: 0,
    });
    const decisions = rows.filter((r) => r.event === 'decision.recorded');
    expect(decisions.map((r) => r.actor)).toEqual([
      'hr@example.com',
      'legal@example.com',
      'security@example.com',
      'datagov-lead@example.com',
    ]);
    expect(JSON.parse(decisions[0].payload)).toMatchObject({
      party: 'hr',
      decision: 'approve',
      decidedBy: 'hr@example.com',
      comment: 'fine',
      conditions: ['clean laptop only'],
      via: 'api',
    });
    // one state per decision (the last one awaiting the authorization), one for the grant that approved it,
    // and one for the obligations recorded after approval
    expect(rows.filter((r) => r.event === 'request.state').map((r) => JSON.parse(r.payload).status)).toEqual([
      'pending',
      'pending',
      'pending',
      'awaiting_authorization',
      'approved',
      'approved',
    ]);
    const [granted] = rows.filter((r) => r.event === 'authorization.recorded');
    expect(granted.actor).toBe('alice@example.com');
    expect(JSON.parse(granted.payload)).toMatchObject({ kind: 'official_exit_approval', status: 'granted' });

    const all = await auditLog.find({ order: { seq: 'ASC' } });
    expect(all.map((r) => r.event)).toEqual(expect.arrayContaining(['passport.deposited', 'policy.published']));
    const depositRow = all.find((r) => r.event === 'passport.deposited')!;
    expect(depositRow.actor).toBe('custodian@example.com');
    expect(Object.keys(JSON.parse(depositRow.payload)).sort()).toEqual([
      'depositedAt',
      'employeeEmail',
      'passportId',
      'status',
    ]);
    expect(JSON.stringify(all)).not.toContain(NUMBER);

    const res = await verify();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, rows: all.length, problems: [] });
    expect(res.body.rows).toBeGreaterThan(0);
    expect(res.body.head).toMatchObject({ seq: all[all.length - 1].seq, hash: all[all.length - 1].hash });
    expect((await http.as('admin@example.com', 'GET', '/api/audit/chain/verify')).status).toBe(200);
  });

  it('should refuse the verification to employees and to callers without a token', async () => {
    expect((await verify('alice@example.com')).status).toBe(403);
    expect((await verify('hr@example.com')).status).toBe(403);
    expect((await http.request('GET', '/api/audit/chain/verify')).status).toBe(401);
    const bad = await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify?head=nonsense');
    expect(bad.status).toBe(400);
  });

  it('should name a row whose payload was edited in the database as changed', async () => {
    const target = (await rowsOf(requestId)).find((r) => r.event === 'decision.recorded')!;
    const forged = JSON.stringify({ ...JSON.parse(target.payload), decision: 'reject' });
    await auditLog.update({ seq: target.seq }, { payload: forged });
    try {
      const res = await verify();
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.problems).toEqual([
        {
          seq: target.seq,
          kind: 'changed',
          message: expect.stringContaining(`row ${target.seq} (decision.recorded of request ${requestId}`),
        },
      ]);
    } finally {
      await auditLog.update({ seq: target.seq }, { payload: target.payload });
    }
    expect((await verify()).body.ok).toBe(true);
  });

  it('should name a deleted row by its seq', async () => {
    const target = (await rowsOf(requestId)).filter((r) => r.event === 'decision.recorded')[1];
    await auditLog.delete({ seq: target.seq });
    try {
      const res = await verify();
      expect(res.body.ok).toBe(false);
      expect(res.body.problems).toEqual([
        {
          seq: target.seq,
          kind: 'deleted',
          message: `row ${target.seq} is missing: deleted between row ${target.seq - 1} and row ${target.seq + 1}`,
        },
      ]);
    } finally {
      await auditLog.insert(target);
    }
    expect((await verify()).body.ok).toBe(true);
  });

  it('should name two rows whose places were swapped as reordered', async () => {
    const [a, b] = (await rowsOf(requestId)).filter((r) => r.event === 'decision.recorded');
    const swap = async () => {
      await auditLog.update({ seq: a.seq }, { seq: -1 });
      await auditLog.update({ seq: b.seq }, { seq: a.seq });
      await auditLog.update({ seq: -1 }, { seq: b.seq });
    };
    await swap();
    try {
      const res = await verify();
      expect(res.body.ok).toBe(false);
      const bySeq = new Map<number, any>(res.body.problems.map((p: any) => [p.seq, p]));
      expect(bySeq.get(a.seq)).toMatchObject({
        kind: 'reordered',
        message: expect.stringContaining(`was written as row ${b.seq} and moved to seq ${a.seq}`),
      });
      expect(bySeq.get(b.seq)).toMatchObject({
        kind: 'reordered',
        message: expect.stringContaining(`was written as row ${a.seq} and moved to seq ${b.seq}`),
      });
      expect(res.body.problems.every((p: any) => p.kind === 'reordered')).toBe(true);
    } finally {
      await swap();
    }
    expect((await verify()).body.ok).toBe(true);
  });

  it('should name the first row of a tail an insider rewrote and re-hashed in the database as forged', async () => {
    const original = await auditLog.find({ order: { seq: 'ASC' } });
    const from = original.find((r) => r.requestId === requestId && r.event === 'decision.recorded')!.seq;
    let prevHash = original.find((r) => r.seq === from - 1)!.hash;
    for (const row of original.filter((r) => r.seq >= from)) {
      const payload = JSON.parse(row.payload);
      if (row.seq === from) payload.decision = 'reject';
      const hash = auditRowHash(prevHash, row.seq, { ...row, payload });
      await auditLog.update({ seq: row.seq }, { payload: JSON.stringify(payload), prevHash, hash });
      prevHash = hash;
    }
    try {
      const res = await verify();
      expect(res.body.ok).toBe(false);
      expect(res.body.problems).toEqual([
        {
          seq: from,
          kind: 'forged',
          message: expect.stringContaining(`row ${from} (decision.recorded of request ${requestId}`),
        },
      ]);
    } finally {
      for (const row of original.filter((r) => r.seq >= from)) {
        await auditLog.update({ seq: row.seq }, { payload: row.payload, prevHash: row.prevHash, hash: row.hash });
      }
    }
    expect((await verify()).body.ok).toBe(true);
  });
});
