import { DataSource } from 'typeorm';
import { DecisionEntity } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 8: security forwards the approval email (or alice reads it over their shoulder);
 * signed in as alice, she opens security's link for her own request and chooses "Request changes",
 * and the timeline, the replay and the audit chain say security decided. A link decides only for the
 * person it was sent to; for strategic people (policy data) a forwarded email alone decides nothing;
 * and every decision records how its author was authenticated.
 */
describe.each(testDatabases())('a forwarded approval link decides nothing on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const mailbox = async (to: string): Promise<any[]> =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  const rid = (link: string): string =>
    JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString()).rid;
  const linkFor = (to: string, id: string): Promise<string> =>
    eventually(
      async () => (await mailbox(to)).flatMap((m) => m.links as string[]).find((l) => rid(l) === id),
      `${to}'s link`,
    );
  /** The /app session cookie of a signed-in person (it holds the same token the API accepts). */
  const session = async (email: string) => ({ cookie: `clearance_session=${await http.token(email)}` });
  const decisions = (id: string) =>
    used.system.app.get(DataSource).getRepository(DecisionEntity).findBy({ requestId: id });
  const approval = async (requester: string, id: string, party: string) =>
    (await http.as(requester, 'GET', `/api/requests/${id}`)).body.stages
      .flatMap((s: any) => s.approvals)
      .find((a: any) => a.party === party);

  it("should refuse security's link to alice signed in as herself, record nothing, and keep every channel closed to her", async () => {
    const view = (await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'))).body;
    const link = await linkFor('security@example.com', view.id);
    const headers = await session('alice@example.com');

    const opened = await http.request('GET', link, { headers });
    expect(opened.status).toBe(403);
    expect(opened.text).toContain('security@example.com');
    expect(opened.text).toContain('alice@example.com');
    expect(opened.text).not.toContain('Record my decision');

    const posted = await http.request('POST', link, {
      headers,
      form: { decision: 'request_changes', comment: 'please add the agenda' },
    });
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('Nothing was recorded');
    expect(await approval('alice@example.com', view.id, 'security')).toMatchObject({ status: 'pending' });
    expect(await decisions(view.id)).toEqual([]);

    // Neither the API nor bulk lets the requester decide either.
    const api = await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'security',
      decision: 'approve',
    });
    expect(api.status).toBe(403);
    const bulk = await http.as('alice@example.com', 'POST', '/api/approvals/bulk', {
      decision: 'approve',
      items: [{ requestId: view.id, party: 'security' }],
    });
    expect(bulk.body.results[0].status).toBe(403);
    expect(await decisions(view.id)).toEqual([]);
  });

  it("should not count a strategic person's link decision without the recipient signed in or a code, and ask to sign in", async () => {
    const view = (await http.as('dave@example.com', 'POST', '/api/requests', requestBody('conference'))).body;
    const link = await linkFor('security@example.com', view.id);

    const opened = await http.request('GET', link);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain('Sign in as security@example.com');

    const posted = await http.request('POST', link, { form: { decision: 'approve', comment: 'fine' } });
    expect(posted.status).toBe(200);
    expect(posted.text).not.toContain('Decision recorded');
    expect(posted.text).toContain('Sign in as security@example.com');
    expect(posted.text).toContain('One-time code');
    expect(await approval('dave@example.com', view.id, 'security')).toMatchObject({ status: 'pending' });
    expect(await decisions(view.id)).toEqual([]);
  });

  it('should count a link decision when the recipient is signed in, and record that they were', async () => {
    const view = (await http.as('dave@example.com', 'POST', '/api/requests', requestBody('conference'))).body;
    const link = await linkFor('security@example.com', view.id);
    const headers = await session('security@example.com');

    const opened = await http.request('GET', link, { headers });
    expect(opened.status).toBe(200);
    expect(opened.text).toContain('Record my decision');
    const posted = await http.request('POST', link, { headers, form: { decision: 'approve', comment: 'fine' } });
    expect(posted.status).toBe(200);
    expect(posted.text).toContain('Decision recorded');
    expect(await approval('dave@example.com', view.id, 'security')).toMatchObject({
      status: 'approved',
      decidedBy: 'security@example.com',
    });
    expect((await decisions(view.id)).map((d) => [d.decidedBy, d.via])).toEqual([
      ['security@example.com', 'email-session'],
    ]);
    const timeline = (await http.as('auditor@example.com', 'GET', `/api/requests/${view.id}/timeline`)).body;
    const entry = (timeline.items ?? timeline).find((e: any) => e.kind === 'decision');
    expect(entry.detail).toContain('signed in');
  });

  it("should let the recipient's active delegate, signed in, decide through the link on the recipient's behalf", async () => {
    // hr was mailed the link, then went away and named hr-lead to stand in.
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference'))).body;
    const link = await linkFor('hr@example.com', view.id);
    const delegated = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'hr-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(3),
    });
    expect(delegated.status).toBe(200);
    try {
      const posted = await http.request('POST', link, {
        headers: await session('hr-lead@example.com'),
        form: { decision: 'approve', comment: 'for hr' },
      });
      expect(posted.status).toBe(200);
      expect(posted.text).toContain('Decision recorded');
      expect((await decisions(view.id)).map((d) => [d.decidedBy, d.onBehalfOf, d.via])).toEqual([
        ['hr-lead@example.com', 'hr@example.com', 'email-session'],
      ]);
    } finally {
      await http.as('hr@example.com', 'DELETE', '/api/me/delegation');
    }
  });
});
