import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';
import type { HttpResult } from '../support/http';
import { useSystem } from '../support/system';

/**
 * Issue 12, item 10: every route about one request answers 404 to a caller who may not read that
 * request, whatever the body and whatever party they name. A 403 or 409 would tell them the request
 * exists, and sometimes what state it is in.
 */
describe.each(testDatabases())('a request one may not read is not found on every route on $name', (database) => {
  const { http } = useSystem(database);
  let id: string;

  beforeAll(async () => {
    // carol's request needs hr only (standard tier, nothing controlled, nothing leaves)
    const res = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', {
        technologyAreas: ['none'],
        dataCategories: ['none'],
        details: { eventName: 'PyCon', presenting: false },
      }),
    );
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.body.stages.flatMap((s: any) => s.approvals.map((a: any) => a.party))).toEqual(['hr']);
  });

  /** Each route about one request, with a valid body and an invalid one where it takes a body. */
  const routes: Array<[string, (who: string) => Promise<HttpResult>]> = [
    ['GET /api/requests/:id', (who) => http.as(who, 'GET', `/api/requests/${id}`)],
    ['GET /api/requests/:id/timeline', (who) => http.as(who, 'GET', `/api/requests/${id}/timeline`)],
    ['GET /api/requests/:id/packet', (who) => http.as(who, 'GET', `/api/requests/${id}/packet`)],
    [
      'POST /api/requests/:id/decisions (their own party)',
      (who) =>
        http.as(who, 'POST', `/api/requests/${id}/decisions`, {
          party: who.startsWith('legal') ? 'legal' : 'hr',
          decision: 'approve',
        }),
    ],
    [
      'POST /api/requests/:id/decisions (the request party)',
      (who) => http.as(who, 'POST', `/api/requests/${id}/decisions`, { party: 'hr', decision: 'approve' }),
    ],
    [
      'POST /api/requests/:id/decisions (invalid body)',
      (who) => http.as(who, 'POST', `/api/requests/${id}/decisions`, { party: 'hr', decision: 'reject' }),
    ],
    [
      'POST /api/requests/:id/amend',
      (who) => http.as(who, 'POST', `/api/requests/${id}/amend`, requestBody('conference')),
    ],
    [
      'POST /api/requests/:id/amend (invalid body)',
      (who) => http.as(who, 'POST', `/api/requests/${id}/amend`, { type: 'conference' }),
    ],
    ['POST /api/requests/:id/withdraw', (who) => http.as(who, 'POST', `/api/requests/${id}/withdraw`)],
    [
      'POST /api/requests/:id/obligations/:kind',
      (who) => http.as(who, 'POST', `/api/requests/${id}/obligations/training`, { note: 'done' }),
    ],
    [
      'POST /api/requests/:id/reviewers',
      (who) => http.as(who, 'POST', `/api/requests/${id}/reviewers`, { party: 'hr', email: 'dave@example.com' }),
    ],
  ];

  it.each([
    ['an unrelated employee', 'alice@example.com'],
    ['an approver of another party', 'legal@example.com'],
    ['a lead of another party', 'security-lead@example.com'],
    ['a custodian', 'custodian@example.com'],
  ])('should answer 404 on every route to %s', async (_who, email) => {
    const answers: Array<[string, number]> = [];
    for (const [route, call] of routes) answers.push([route, (await call(email)).status]);
    expect(answers).toEqual(routes.map(([route]) => [route, 404]));
  });

  it('should still answer the requester and the party as before', async () => {
    expect((await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).status).toBe(200);
    expect((await http.as('hr@example.com', 'GET', `/api/requests/${id}/timeline`)).status).toBe(200);
    const ownRequest = await http.as('carol@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(ownRequest.body.code).toBe('REQUESTER_CANNOT_DECIDE');
  });
});
