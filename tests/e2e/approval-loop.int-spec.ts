import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { MailActivities } from '../../activities/mail.activities';
import type { NotifyPartyInput } from '@libs/contracts';
import { LinkTokens } from '@libs/crypto';
import { Mailer } from '@libs/mail';
import {
  AssignedReviewerRepository,
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  RequestRepository,
  SentEmailRepository,
} from '@libs/persistence';
import { DataSource } from 'typeorm';
import { DecisionEntity, SentEmailEntity } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, depositPassport, requestBody } from '../support/factories';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';
import { grantAuthorizations } from '../support/authorizations';

/** The whole loop through HTTP: API + worker + real Temporal + real SMTP capture + a real database. */
describe.each(testDatabases())('approval loop on $name', (database) => {
  let system: TestSystem;
  let http: Http;

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    await depositPassport(http, 'alice@example.com');
  });

  afterAll(async () => {
    await system?.stop();
  });

  const mailbox = async (to: string) =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  const linkFor = async (requestId: string, to: string, round = 1) =>
    eventually(async () => {
      const mail = (await mailbox(to)).find(
        (m) =>
          m.text.includes(requestId) ||
          m.links.some((l: string) => tokenClaims(l).rid === requestId && tokenClaims(l).rnd === round),
      );
      return mail?.links.find((l: string) => tokenClaims(l).rid === requestId && tokenClaims(l).rnd === round) as
        string | undefined;
    }, `an approval link for ${to} (round ${round})`);
  const submit = async (email: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await http.as(email, 'POST', '/api/requests', body, headers);
    expect(res.status).toBe(201);
    return res.body;
  };

  function tokenClaims(link: string): { rid: string; pty: string; rnd: number; sub: string } {
    // notices (a withdrawal, an outcome) link to the request page, not to a decision
    if (!link.includes('/approvals/')) return { rid: '', pty: '', rnd: 0, sub: '' };
    return JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());
  }

  it('should answer health and OpenAPI without a token', async () => {
    expect((await http.request('GET', '/health/live')).status).toBe(200);
    const ready = await http.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: { status: 'up' }, temporal: { status: 'up' } });
    const docs = await http.request('GET', '/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/requests', '/api/requests/{id}/decisions']),
    );
    expect((await http.request('GET', '/api/docs')).status).toBe(200);
  });

  it('should refuse /api routes without a valid bearer token and dev-login for strangers', async () => {
    expect((await http.request('GET', '/api/requests')).status).toBe(401);
    expect((await http.request('GET', '/api/requests', { headers: { authorization: 'Bearer nonsense' } })).status).toBe(
      401,
    );
    expect((await http.request('GET', '/api/approvals/inbox')).status).toBe(401);
    expect((await http.request('POST', '/api/auth/dev-login', { body: { email: 'mallory@example.com' } })).status).toBe(
      401,
    );
    const bad = await http.request('POST', '/api/auth/dev-login', { body: { email: 'not an email' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('email');
  });

  it('should answer 400 naming every bad field, 400 for broken JSON and 413 for an oversized body', async () => {
    const res = await http.as(
      'alice@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { destinationCountry: 'XX', details: { eventName: 'E' } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'destinationCountry',
      'details.presenting',
    ]);
    const broken = await http.request('POST', '/api/requests', {
      raw: '{"type":',
      headers: { authorization: `Bearer ${await http.token('alice@example.com')}` },
    });
    expect(broken.status).toBe(400);
    expect(broken.text).not.toMatch(/at .*\.js/);
    const huge = await http.as(
      'alice@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { purpose: 'x'.repeat(100_000) }),
    );
    expect(huge.status).toBe(413);
  });

  it('should take a request from submission to approved by links in real emails', async () => {
    await http.request('DELETE', '/dev/mailbox');
    const view = await submit('alice@example.com', requestBody('conference'));
    expect(view).toMatchObject({
      type: 'conference',
      status: 'pending',
      requester: { email: 'alice@example.com', tier: 'core' },
      policyVersion: 1,
    });
    // a short human reference, sequential in the year of submission; the id stays the key in URLs
    expect(view.reference).toMatch(new RegExp(`^CLR-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(view.stages).toHaveLength(1);
    expect(view.stages[0].approvals.map((a: { party: string }) => a.party).sort()).toEqual([
      'data_governance',
      'hr',
      'legal',
      'security',
    ]);

    // Every member of every party gets a personal link; the mail says who asks, where, when and why.
    const hrLink = await linkFor(view.id, 'hr@example.com');
    await linkFor(view.id, 'hr-lead@example.com');
    const [hrMail] = (await mailbox('hr@example.com')).filter((m) => m.links.includes(hrLink));
    expect(hrMail.subject).toContain('Alice Kim');
    expect(hrMail.subject).toContain(view.reference);
    expect(hrMail.text).toContain(view.reference);
    expect(hrMail.html).toContain(view.reference);
    for (const fact of [
      'Conference trip',
      'United States',
      'NeurIPS',
      view.departureDate,
      view.returnDate,
      'HR reviews every conference trip',
    ]) {
      expect(hrMail.text).toContain(fact);
      expect(hrMail.html).toContain(fact);
    }
    expect(hrLink.startsWith(`${system.baseUrl}/approvals/`)).toBe(true);

    // GET shows a form and records nothing.
    const page = await http.request('GET', hrLink);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain(view.reference);
    const found = await http.as('alice@example.com', 'GET', `/api/requests?q=${view.reference.toLowerCase()}`);
    expect(found.body.items.map((r: { id: string }) => r.id)).toEqual([view.id]);
    const unchanged = await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`);
    expect(unchanged.body.stages[0].approvals.find((a: { party: string }) => a.party === 'hr').status).toBe('pending');

    // POST decides, once.
    const decided = await http.request('POST', hrLink, {
      form: { decision: 'approve', comment: 'fine', conditions: 'clean laptop only\nno model weights' },
    });
    expect(decided.status).toBe(200);
    expect(decided.text).toContain('Decision recorded');
    const reused = await http.request('POST', hrLink, { form: { decision: 'reject', comment: 'changed my mind' } });
    expect(reused.status).toBe(409);
    expect(reused.text).toContain('Already decided by hr@example.com');
    const leadLink = await linkFor(view.id, 'hr-lead@example.com');
    expect((await http.request('POST', leadLink, { form: { decision: 'approve' } })).status).toBe(409);

    // A tampered token is refused and records nothing.
    const legalLink = await linkFor(view.id, 'legal@example.com');
    const [head, , signature] = legalLink.split('/approvals/')[1].split('.');
    const forged = Buffer.from(JSON.stringify({ ...tokenClaims(legalLink), sub: 'legal-lead@example.com' })).toString(
      'base64url',
    );
    const tampered = await http.request('POST', `${system.baseUrl}/approvals/${head}.${forged}.${signature}`, {
      form: { decision: 'approve' },
    });
    expect(tampered.status).toBe(400);
    expect(tampered.text).toContain('not valid');
    expect((await http.request('GET', `${legalLink.slice(0, -4)}AAAA`)).status).toBe(400);

    const afterHr = await http.as('auditor@example.com', 'GET', `/api/requests/${view.id}`);
    expect(afterHr.body.stages[0].approvals.find((a: { party: string }) => a.party === 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'hr@example.com',
      comment: 'fine',
      conditions: ['clean laptop only', 'no model weights'],
    });
    expect(afterHr.body.stages[0].approvals.find((a: { party: string }) => a.party === 'legal').status).toBe('pending');

    expect((await http.request('POST', legalLink, { form: { decision: 'approve' } })).status).toBe(200);
    expect(
      (
        await http.as('security@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
          party: 'security',
          decision: 'approve',
        })
      ).status,
    ).toBe(200);
    const final = await http.as('datagov-lead@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'data_governance',
      decision: 'approve',
      conditions: ['slides reviewed before departure'],
    });
    expect(final.status).toBe(200);
    // alice is core: every party approved, and the default policy holds the request until the official
    // exit approval is granted (tests/e2e/authorizations.int-spec.ts covers the waiting in full).
    expect(final.body.status).toBe('awaiting_authorization');
    expect(final.body.stages[0].status).toBe('approved');
    await grantAuthorizations(http, final.body);
    expect((await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`)).body.status).toBe('approved');

    const outcome = await eventually(
      async () =>
        (await mailbox('alice@example.com')).find(
          (m) => m.text.includes(view.reference) && !m.subject.endsWith(' was submitted'),
        ),
      'the outcome email',
    );
    expect(outcome.subject).toContain('approved');
    expect(outcome.subject).toContain(view.reference);
    expect(outcome.text).toContain('clean laptop only');
  });

  it('should enforce who may read and decide, with the contract statuses', async () => {
    const view = await submit('carol@example.com', requestBody('overseas_assignment'));
    const decide = (email: string, party: string, decision = 'approve', comment?: string) =>
      http.as(email, 'POST', `/api/requests/${view.id}/decisions`, {
        party,
        decision,
        ...(comment ? { comment } : {}),
      });

    expect((await decide('carol@example.com', 'hr')).status).toBe(403);
    expect((await decide('hr@example.com', 'security')).status).toBe(403);
    expect((await decide('legal@example.com', 'legal')).status).toBe(409);
    const missing = await decide('hr@example.com', 'hr', 'reject');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('comment');
    const bad = await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'finance',
      decision: 'maybe',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['decision', 'party']);

    expect((await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`)).status).toBe(404);
    expect((await http.as('custodian@example.com', 'GET', `/api/requests/${view.id}`)).status).toBe(404);
    expect((await http.as('legal@example.com', 'GET', `/api/requests/${view.id}`)).status).toBe(200);
    expect((await http.as('admin@example.com', 'GET', `/api/requests/${view.id}`)).status).toBe(200);
    expect((await http.as('alice@example.com', 'GET', '/api/requests/not-a-uuid')).status).toBe(404);
    expect((await http.as('hr@example.com', 'POST', '/api/requests', requestBody('conference'))).status).toBe(403);

    expect((await decide('hr@example.com', 'hr')).status).toBe(200);
    expect((await decide('hr@example.com', 'hr')).status).toBe(409);
    const reject = await decide('security-lead@example.com', 'security', 'reject', 'host entity is under review');
    expect(reject.status).toBe(200);
    expect(reject.body.status).toBe('rejected');
    expect(reject.body.stages.map((s: { status: string }) => s.status)).toEqual(['rejected', 'cancelled']);
    expect((await decide('legal@example.com', 'legal')).status).toBe(409);
  });

  it('should make Idempotency-Key return the same request, and refuse it for a different body', async () => {
    const key = `trip-${Date.now()}`;
    const body = requestBody('departure_abroad');
    const first = await http.as('carol@example.com', 'POST', '/api/requests', body, { 'Idempotency-Key': key });
    const again = await http.as('carol@example.com', 'POST', '/api/requests', { ...body }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      { ...body, purpose: 'something else' },
      { 'Idempotency-Key': key },
    );
    expect(other.status).toBe(422);
    const mine = await http.as('carol@example.com', 'GET', '/api/requests?mine=true&type=departure_abroad&limit=100');
    expect(mine.body.items.filter((r: { id: string }) => r.id === first.body.id)).toHaveLength(1);
  });

  it('should list with filters and cursor paging, and show approvers their inbox', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await submit('dave@example.com', requestBody('ma_participation'))).id);
    const page1 = await http.as('dave@example.com', 'GET', '/api/requests?mine=true&type=ma_participation&limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await http.as(
      'dave@example.com',
      'GET',
      `/api/requests?mine=true&type=ma_participation&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await http.as('dave@example.com', 'GET', '/api/requests?limit=0')).status).toBe(400);
    expect((await http.as('dave@example.com', 'GET', '/api/requests?status=bogus')).status).toBe(400);
    expect((await http.as('dave@example.com', 'GET', '/api/requests?cursor=zzz')).status).toBe(400);

    // Carol sees none of Dave's requests; legal sees them (stage 1), hr too (its stage is waiting).
    const carol = await http.as('carol@example.com', 'GET', '/api/requests?type=ma_participation&limit=100');
    expect(carol.body.items.some((r: { id: string }) => ids.includes(r.id))).toBe(false);
    const legalInbox = await http.as('legal@example.com', 'GET', '/api/approvals/inbox');
    expect(legalInbox.status).toBe(200);
    expect(legalInbox.body.items.filter((i: { requestId: string }) => ids.includes(i.requestId))).toHaveLength(3);
    expect(legalInbox.body.counts.legal).toBe(legalInbox.body.items.length);
    const hrInbox = await http.as('hr@example.com', 'GET', '/api/approvals/inbox');
    expect(hrInbox.body.items.some((i: { requestId: string }) => ids.includes(i.requestId))).toBe(false);
  });

  it('should send a request back for changes, kill the old links on amendment, and allow withdrawal', async () => {
    const view = await submit('alice@example.com', requestBody('passport_release'));
    const oldLink = await linkFor(view.id, 'hr@example.com');
    const changes = await http.as('security@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'security',
      decision: 'request_changes',
      comment: 'link the approved trip',
    });
    expect(changes.body.status).toBe('changes_requested');
    expect((await http.request('POST', oldLink, { form: { decision: 'approve' } })).status).toBe(409);
    expect(
      (await http.as('carol@example.com', 'POST', `/api/requests/${view.id}/amend`, requestBody('passport_release')))
        .status,
    ).toBe(404);
    const wrongType = await http.as(
      'alice@example.com',
      'POST',
      `/api/requests/${view.id}/amend`,
      requestBody('conference'),
    );
    expect(wrongType.status).toBe(400);

    const amended = await http.as(
      'alice@example.com',
      'POST',
      `/api/requests/${view.id}/amend`,
      requestBody('passport_release', { purpose: 'Trip to NeurIPS', returnDate: daysFromNow(40) }),
    );
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ status: 'pending', round: 2, purpose: 'Trip to NeurIPS' });
    expect(amended.body.stages[0].approvals.every((a: { status: string }) => a.status === 'pending')).toBe(true);
    const gone = await http.request('GET', oldLink);
    expect(gone.status).toBe(410);
    const newLink = await linkFor(view.id, 'hr@example.com', 2);
    expect((await http.request('GET', newLink)).status).toBe(200);

    expect((await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/withdraw`)).status).toBe(403);
    const withdrawn = await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await http.request('POST', newLink, { form: { decision: 'approve' } })).status).toBe(409);
    expect((await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/withdraw`)).status).toBe(409);
  });

  /** The mail activities on the system's database and SMTP, and the hr approval email of a request's round 1. */
  function mailActivities(view: { id: string; departureDate: string; returnDate: string; purpose: string }) {
    const dataSource = system.app.get(DataSource);
    const mailer = new Mailer(system.config.mail.smtpUrl, system.config.mail.from);
    const directory = new DirectoryRepository(dataSource);
    const requests = new RequestRepository(dataSource);
    const activities = new MailActivities({
      directory,
      requests,
      delegations: new DelegationRepository(dataSource),
      conflicts: new ConflictCheck(directory, requests, new AssignedReviewerRepository(dataSource)),
      sentEmails: new SentEmailRepository(dataSource),
      mailer,
      linkTokens: new LinkTokens(system.config.linkTokens.secret),
      publicUrl: system.config.publicUrl,
    });
    const input: NotifyPartyInput = {
      requestId: view.id,
      party: 'hr',
      round: 1,
      kind: 'approval',
      sequence: 1,
      screeningHits: [],
      reasons: ['hr reviews every conference trip'],
      summary: {
        type: 'conference',
        requesterEmail: 'carol@example.com',
        requesterName: 'Carol Lee',
        destinationCountry: 'US',
        departureDate: view.departureDate,
        returnDate: view.returnDate,
        purpose: view.purpose,
      },
    };
    const retry = () =>
      new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') }).run(
        activities.notifyParty.bind(activities),
        input,
      );
    return { dataSource, mailer, input, retry };
  }

  it('should not send a second copy when the email activity is retried', async () => {
    const view = await submit(
      'carol@example.com',
      requestBody('conference', {
        technologyAreas: ['none'],
        dataCategories: ['none'],
        details: { eventName: 'E', presenting: false },
      }),
    );
    await linkFor(view.id, 'hr@example.com');
    const { dataSource, mailer, retry: notifyAgain } = mailActivities(view);
    const retry = await notifyAgain();
    mailer.close();
    expect(retry).toEqual({ sent: 0, skipped: 2 });
    const copies = (await mailbox('hr@example.com')).filter((m) =>
      m.links.some((l: string) => tokenClaims(l).rid === view.id),
    );
    expect(copies).toHaveLength(1);
    expect(await dataSource.getRepository(DecisionEntity).countBy({ requestId: view.id })).toBe(0);
  });

  it('should finish an email a retried activity had claimed, even when its member has approved since', async () => {
    const view = await submit(
      'carol@example.com',
      requestBody('conference', {
        technologyAreas: ['none'],
        dataCategories: ['none'],
        details: { eventName: 'E', presenting: false },
      }),
    );
    await linkFor(view.id, 'hr@example.com');
    const { dataSource, mailer, input, retry } = mailActivities(view);
    // The worker died between sending hr's email and recording it as sent; hr approved meanwhile.
    const key = `approval:${view.id}:hr:1:1:hr@example.com`;
    await dataSource.getRepository(SentEmailEntity).update({ key }, { status: 'sending', sentAt: null });
    const approved = await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: input.party,
      decision: 'approve',
    });
    expect(approved.status).toBe(200);
    // The retry sends it again (same Message-ID) rather than leave the outbox row unfinished.
    expect(await retry()).toEqual({ sent: 1, skipped: 1 });
    mailer.close();
    expect(await dataSource.getRepository(SentEmailEntity).findOneByOrFail({ key })).toMatchObject({ status: 'sent' });
  });
});
