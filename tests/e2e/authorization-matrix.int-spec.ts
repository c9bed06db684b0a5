import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { DelegationEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { daysFromNow, depositPassport, requestBody } from '../support/factories';
import { Http } from '../support/http';
import { expressRoutes, nestRoutes } from '../support/routes';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Every route × every kind of caller, from one table. The routes are read from Nest itself at
 * runtime, so a route added without an entry here (or an entry left behind by a removed route)
 * fails the test.
 */

const WHO = [
  'anonymous', // no Authorization header
  'expired', // a dev token with a valid signature, expired
  'stranger', // a dev token with a valid signature naming nobody in the directory
  'owner', // alice: an employee, requester of the fixtures
  'peer', // carol: another employee (a token for another person than the owner)
  'approver', // hr@: member of the hr party
  'custodian',
  'auditor',
  'admin',
] as const;
type Who = (typeof WHO)[number];

const EMAIL: Partial<Record<Who, string>> = {
  stranger: 'mallory@example.com',
  owner: 'alice@example.com',
  peer: 'carol@example.com',
  approver: 'hr@example.com',
  custodian: 'custodian@example.com',
  auditor: 'auditor@example.com',
  admin: 'admin@example.com',
};

interface Fixtures {
  /** alice's pending conference request (hr is among its parties). */
  pending: string;
  /** alice's withdrawn request. */
  withdrawn: string;
  /** alice's passport, in custody. */
  passport: string;
  /** the policy in force, as GET /api/policy answers it. */
  policy: Record<string, unknown>;
  /** a link-token-shaped string that is not a valid link token. */
  badLinkToken: string;
}

type Expectation = number | number[];
interface RouteCase {
  path: (fx: Fixtures) => string;
  body?: (fx: Fixtures) => unknown;
  /** A raw body sent with this content type instead of JSON. */
  raw?: { contentType: string; text: string };
  /** Exactly one entry per caller: no default, so each cell is a decision. */
  expect: Record<Who, Expectation>;
  /**
   * A page under /app: the caller's token travels in the session cookie (not a bearer header), and
   * state-changing requests carry the session's CSRF token; `form` is sent url-encoded.
   */
  page?: { form?: Record<string, string> };
}

const NIL_UUID = '00000000-0000-4000-8000-000000000000';
const UNAUTH = { anonymous: 401, expired: 401, stranger: 401 } as const;
const PUBLIC = (status: Expectation): Record<Who, Expectation> =>
  Object.fromEntries(WHO.map((w) => [w, status])) as Record<Who, Expectation>;
/** Pages send a caller without a valid session to the sign-in page. */
const PAGE_UNAUTH = { anonymous: 303, expired: 303, stranger: 303 } as const;
const pageFor = (expect: Record<Who, Expectation>): Record<Who, Expectation> => ({ ...expect, ...PAGE_UNAUTH });
const signedIn = (status: Expectation): Record<Who, Expectation> => ({
  ...UNAUTH,
  owner: status,
  peer: status,
  approver: status,
  custodian: status,
  auditor: status,
  admin: status,
});
/** Only the named callers get `status`; every other signed-in caller is refused (403). */
const only = (status: Expectation, ...who: Who[]): Record<Who, Expectation> => ({
  ...UNAUTH,
  owner: who.includes('owner') ? status : 403,
  peer: who.includes('peer') ? status : 403,
  approver: who.includes('approver') ? status : 403,
  custodian: who.includes('custodian') ? status : 403,
  auditor: who.includes('auditor') ? status : 403,
  admin: who.includes('admin') ? status : 403,
});

const ROUTES: Record<string, RouteCase> = {
  // ---- public: health, dev login, e-mail link pages, dev mailbox
  'GET /health/live': { path: () => '/health/live', expect: PUBLIC(200) },
  'GET /health/ready': { path: () => '/health/ready', expect: PUBLIC(200) },
  // Prometheus: METRICS_TOKEN, not people's tokens; unset here (test mode), so open (metrics.int-spec covers the rest)
  'GET /metrics': { path: () => '/metrics', expect: PUBLIC(200) },
  'POST /api/auth/dev-login': {
    path: () => '/api/auth/dev-login',
    body: () => ({ email: 'carol@example.com' }),
    expect: PUBLIC(200),
  },
  'GET /approvals/:token': { path: (fx) => `/approvals/${fx.badLinkToken}`, expect: PUBLIC(400) },
  'POST /approvals/:token': {
    path: (fx) => `/approvals/${fx.badLinkToken}`,
    body: () => ({ decision: 'approve' }),
    expect: PUBLIC(400),
  },
  'GET /dev/mailbox': { path: () => '/dev/mailbox?to=nobody@example.com', expect: PUBLIC(200) },
  'DELETE /dev/mailbox': { path: () => '/dev/mailbox', expect: PUBLIC(204) },
  'GET /dev/mailbox.html': { path: () => '/dev/mailbox.html?to=nobody@example.com', expect: PUBLIC(200) },

  // ---- requests
  'POST /api/requests': {
    path: () => '/api/requests',
    body: () => ({}), // invalid on purpose: an allowed caller gets 400 and nothing starts
    expect: only(400, 'owner', 'peer'),
  },
  'GET /api/requests': { path: () => '/api/requests', expect: signedIn(200) },
  'GET /api/requests/:id': {
    path: (fx) => `/api/requests/${fx.pending}`,
    // readable by its requester, members of its parties, auditors and admins; hidden (404) from others
    expect: { ...UNAUTH, owner: 200, peer: 404, approver: 200, custodian: 404, auditor: 200, admin: 200 },
  },
  'POST /api/requests/:id/decisions': {
    path: (fx) => `/api/requests/${fx.pending}/decisions`,
    body: () => ({ party: 'hr', decision: 'reject' }), // no comment: refused before anything is recorded
    // those who cannot read the request do not learn it exists, not even that the body was wrong
    expect: { ...UNAUTH, owner: 400, peer: 404, approver: 400, custodian: 404, auditor: 400, admin: 400 },
  },
  'POST /api/requests/:id/amend': {
    path: (fx) => `/api/requests/${fx.pending}/amend`,
    body: () => ({ type: 'conference' }), // incomplete: refused before anything is recorded
    expect: { ...UNAUTH, owner: 400, peer: 404, approver: 400, custodian: 404, auditor: 400, admin: 400 },
  },
  'POST /api/requests/:id/reviewers': {
    path: (fx) => `/api/requests/${fx.pending}/reviewers`,
    // admins only; hr still has members who may review, so even an admin assigns nobody (409)
    body: () => ({ party: 'hr', email: 'dave@example.com' }),
    expect: { ...UNAUTH, owner: 403, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 409 },
  },
  'POST /api/requests/:id/obligations/:kind': {
    path: (fx) => `/api/requests/${fx.withdrawn}/obligations/training`,
    body: () => ({ note: 'done' }),
    // nothing to fulfil on a withdrawn request; those who cannot read it do not learn it exists
    expect: { ...UNAUTH, owner: 409, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 403 },
  },
  'POST /api/requests/:id/obligations/:kind/correct': {
    path: (fx) => `/api/requests/${fx.withdrawn}/obligations/training/correct`,
    body: () => ({ reason: 'recorded by mistake' }),
    // the requester or security; nothing recorded to correct on a withdrawn request
    expect: { ...UNAUTH, owner: 409, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 403 },
  },
  'POST /api/requests/:id/authorizations/:kind': {
    path: (fx) => `/api/requests/${fx.pending}/authorizations/official_exit_approval`,
    body: () => ({ status: 'maybe' }), // invalid: refused before anything is recorded
    // the requester or an admin; other readers 403; those who cannot read it do not learn it exists
    expect: { ...UNAUTH, owner: 400, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 400 },
  },
  'PUT /api/requests/:id/authorizations/:kind/document': {
    path: (fx) => `/api/requests/${fx.pending}/authorizations/official_exit_approval/document`,
    raw: { contentType: 'text/plain', text: 'not a multipart form' }, // refused (400) before anything is stored
    expect: { ...UNAUTH, owner: 400, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 400 },
  },
  'PUT /api/requests/:id/manifest/materials/:index/document': {
    path: (fx) => `/api/requests/${fx.pending}/manifest/materials/0/document`,
    raw: { contentType: 'text/plain', text: 'not a multipart form' }, // alice's request declares no material: 404
    expect: { ...UNAUTH, owner: 404, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 403 },
  },
  'GET /api/requests/:id/manifest/materials/:index/document': {
    path: (fx) => `/api/requests/${fx.pending}/manifest/materials/0/document`,
    // readers who review materials learn there is none; other readers may not
    expect: { ...UNAUTH, owner: 404, peer: 404, approver: 403, custodian: 404, auditor: 404, admin: 404 },
  },
  'POST /api/requests/:id/withdraw': {
    path: (fx) => `/api/requests/${fx.withdrawn}/withdraw`,
    // already withdrawn: the requester learns 409; nobody else may withdraw it
    expect: { ...UNAUTH, owner: 409, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 403 },
  },

  // ---- approvals inbox
  'GET /api/approvals/inbox': { path: () => '/api/approvals/inbox', expect: signedIn(200) },
  'POST /api/approvals/bulk': {
    path: () => '/api/approvals/bulk',
    // one item for a request that does not exist: each item is answered on its own, nothing recorded
    body: () => ({ decision: 'approve', items: [{ requestId: NIL_UUID, party: 'hr' }] }),
    expect: signedIn(200),
  },

  // ---- directory
  'GET /api/directory/people': { path: () => '/api/directory/people', expect: only(200, 'auditor', 'admin') },
  'GET /api/directory/people/:email': {
    path: () => '/api/directory/people/alice@example.com',
    expect: only(200, 'auditor', 'admin'),
  },
  'PUT /api/directory/people/:email': {
    path: () => '/api/directory/people/alice@example.com',
    body: () => ({}), // invalid: an admin gets 400 and alice stays as she is
    expect: only(400, 'admin'),
  },
  'POST /api/directory/import': {
    path: () => '/api/directory/import',
    raw: { contentType: 'text/csv', text: 'not,the,columns\n1,2,3\n' },
    expect: only(400, 'admin'),
  },

  // ---- screening
  'GET /api/screening/entries': { path: () => '/api/screening/entries', expect: only(200, 'auditor', 'admin') },
  'POST /api/screening/entries': {
    path: () => '/api/screening/entries',
    body: () => ({}),
    expect: only(400, 'admin'),
  },
  // unknown entry: readers learn 404; changes without a reason are refused before anything (400), nothing changes
  'GET /api/screening/entries/:id': {
    path: () => `/api/screening/entries/${NIL_UUID}`,
    expect: only(404, 'auditor', 'admin'),
  },
  'PATCH /api/screening/entries/:id': {
    path: () => `/api/screening/entries/${NIL_UUID}`,
    body: () => ({ country: 'DE' }),
    expect: only(400, 'admin'),
  },
  'DELETE /api/screening/entries/:id': {
    path: () => `/api/screening/entries/${NIL_UUID}`,
    expect: only(400, 'admin'),
  },
  'POST /api/screening/import': {
    path: () => '/api/screening/import',
    raw: { contentType: 'text/csv', text: 'not,the,columns\n1,2,3\n' },
    expect: only(400, 'admin'),
  },
  'POST /api/screening/check': {
    path: () => '/api/screening/check',
    body: () => ({ name: 'Example Org', country: 'US' }),
    expect: only(200, 'auditor', 'admin'),
  },

  // ---- policy
  'GET /api/policy': { path: () => '/api/policy', expect: only(200, 'auditor', 'admin') },
  'GET /api/policy/versions': { path: () => '/api/policy/versions', expect: only(200, 'auditor', 'admin') },
  'GET /api/policy/versions/:version': {
    path: () => '/api/policy/versions/1',
    expect: only(200, 'auditor', 'admin'),
  },
  'PUT /api/policy': {
    path: () => '/api/policy',
    body: (fx) => fx.policy, // republishing the policy in force changes nothing that matters
    expect: only(200, 'admin'),
  },
  'POST /api/policy/validate': {
    path: () => '/api/policy/validate',
    body: (fx) => fx.policy, // only checked, never published
    expect: only(200, 'admin'),
  },
  'POST /api/policy/simulate': {
    path: () => '/api/policy/simulate',
    body: (fx) => ({ policy: fx.policy, since: daysFromNow(-30) }), // compared only, nothing changes
    expect: only(200, 'admin'),
  },
  'POST /api/policy/evaluate': {
    path: () => '/api/policy/evaluate',
    body: () => requestBody('conference'),
    expect: signedIn(201),
  },

  // ---- delegation
  'GET /api/me/delegation': { path: () => '/api/me/delegation', expect: signedIn(200) },
  'PUT /api/me/delegation': {
    path: () => '/api/me/delegation',
    body: () => ({ delegateEmail: 'hr-lead@example.com', from: daysFromNow(300), until: daysFromNow(301) }),
    // only approvers (members of a party) delegate
    expect: only(200, 'approver'),
  },
  'DELETE /api/me/delegation': { path: () => '/api/me/delegation', expect: signedIn(204) },

  // ---- passports
  'POST /api/passports': {
    path: () => '/api/passports',
    body: () => ({
      employeeEmail: 'carol@example.com',
      passportNumber: 'P1234567',
      issuingCountry: 'KR',
      expiryDate: daysFromNow(900),
    }),
    expect: only(201, 'custodian'),
  },
  'GET /api/passports': { path: () => '/api/passports', expect: signedIn(200) },
  'POST /api/passports/:id/return': {
    path: (fx) => `/api/passports/${fx.passport}/return`,
    expect: only(409, 'custodian'), // already in custody
  },
  'POST /api/passports/:id/hand-out': {
    path: (fx) => `/api/passports/${fx.passport}/hand-out`,
    expect: only(400, 'custodian'), // no requestId, identity not checked
  },

  // ---- audit
  'GET /api/audit/chain/verify': { path: () => '/api/audit/chain/verify', expect: only(200, 'auditor', 'admin') },
  'GET /api/audit/requests/:id/history': {
    path: (fx) => `/api/audit/requests/${fx.pending}/history`,
    expect: only(200, 'auditor', 'admin'),
  },
  'GET /api/audit/requests/:id/evidence': {
    path: (fx) => `/api/audit/requests/${fx.pending}/evidence`,
    expect: only(200, 'auditor', 'admin'),
  },
  'POST /api/audit/requests/:id/replay': {
    path: (fx) => `/api/audit/requests/${fx.pending}/replay`,
    expect: only(200, 'auditor', 'admin'),
  },

  // ---- request timeline (API)
  'GET /api/requests/:id/timeline': {
    path: (fx) => `/api/requests/${fx.pending}/timeline`,
    expect: { ...UNAUTH, owner: 200, peer: 404, approver: 200, custodian: 404, auditor: 200, admin: 200 },
  },
  'GET /api/requests/:id/packet': {
    path: (fx) => `/api/requests/${fx.pending}/packet`,
    expect: { ...UNAUTH, owner: 200, peer: 404, approver: 200, custodian: 404, auditor: 200, admin: 200 },
  },

  // ---- pages: sign-in and assets
  'GET /app': { path: () => '/app', page: {}, expect: PUBLIC(303) },
  'GET /app/sign-in': { path: () => '/app/sign-in', page: {}, expect: PUBLIC(200) },
  'POST /app/sign-in': {
    path: () => '/app/sign-in',
    page: { form: { email: 'carol@example.com' } },
    expect: PUBLIC(303),
  },
  'GET /app/auth/login': { path: () => '/app/auth/login', page: {}, expect: PUBLIC(303) }, // no OIDC provider here
  'GET /app/auth/callback': { path: () => '/app/auth/callback', page: {}, expect: PUBLIC(303) },
  'POST /app/sign-out': { path: () => '/app/sign-out', page: {}, expect: PUBLIC(303) },
  'GET /app/assets/:file': { path: () => '/app/assets/app.css', page: {}, expect: PUBLIC(200) },

  // ---- pages: requests (the API underneath decides; the page shows its answer)
  'GET /app/requests': { path: () => '/app/requests', page: {}, expect: pageFor(signedIn(200)) },
  'GET /app/requests/new': { path: () => '/app/requests/new', page: {}, expect: pageFor(only(200, 'owner', 'peer')) },
  'POST /app/requests/new': {
    path: () => '/app/requests/new?type=conference',
    page: { form: {} }, // empty form: the form comes back with the API's field errors, nothing starts
    expect: pageFor(only(400, 'owner', 'peer')),
  },
  'POST /app/requests/preview': {
    path: () => '/app/requests/preview?type=conference',
    page: { form: {} },
    expect: pageFor(signedIn(400)),
  },
  'GET /app/requests/:id': {
    path: (fx) => `/app/requests/${fx.pending}`,
    page: {},
    expect: pageFor({ ...UNAUTH, owner: 200, peer: 404, approver: 200, custodian: 404, auditor: 200, admin: 200 }),
  },
  'POST /app/requests/:id/decisions': {
    path: (fx) => `/app/requests/${fx.pending}/decisions`,
    page: { form: { party: 'hr', decision: 'reject' } }, // no comment: refused, nothing recorded
    expect: pageFor({ ...signedIn(400), peer: 404, custodian: 404 }),
  },
  'GET /app/requests/:id/amend': {
    path: (fx) => `/app/requests/${fx.pending}/amend`,
    page: {},
    expect: pageFor({ ...only(200, 'owner'), peer: 404 }),
  },
  'POST /app/requests/:id/amend': {
    path: (fx) => `/app/requests/${fx.pending}/amend`,
    page: { form: {} },
    expect: pageFor({ ...only(400, 'owner'), peer: 404 }),
  },
  'GET /app/requests/:id/copy': {
    path: (fx) => `/app/requests/${fx.withdrawn}/copy`,
    page: {},
    // its requester gets the filled-in form; nobody else learns it exists (employees) or may copy (others)
    expect: pageFor({ ...only(200, 'owner'), peer: 404 }),
  },
  'GET /app/requests/:id/withdraw': {
    path: (fx) => `/app/requests/${fx.withdrawn}/withdraw`,
    page: {},
    // the confirmation of an already withdrawn request: 409 for its requester; nobody else learns it exists
    expect: pageFor({ ...only(409, 'owner'), peer: 404 }),
  },
  'POST /app/requests/:id/withdraw': {
    path: (fx) => `/app/requests/${fx.withdrawn}/withdraw`,
    page: {},
    expect: pageFor({ ...only(409, 'owner'), peer: 404 }),
  },
  'POST /app/requests/:id/obligations/:kind/correct': {
    path: (fx) => `/app/requests/${fx.withdrawn}/obligations/training/correct`,
    page: { form: { reason: 'recorded by mistake' } },
    expect: pageFor({ ...only(409, 'owner'), peer: 404, custodian: 404 }),
  },
  'POST /app/requests/:id/obligations/:kind': {
    path: (fx) => `/app/requests/${fx.withdrawn}/obligations/training`,
    page: { form: {} },
    expect: pageFor({ ...only(409, 'owner'), peer: 404 }),
  },

  'POST /app/requests/:id/authorizations/:kind': {
    path: (fx) => `/app/requests/${fx.pending}/authorizations/official_exit_approval`,
    page: { form: {} }, // no status: the API refuses it (400) before anything is recorded
    expect: pageFor({ ...UNAUTH, owner: 400, peer: 404, approver: 403, custodian: 404, auditor: 403, admin: 400 }),
  },
  'POST /app/requests/:id/authorizations/:kind/document': {
    path: (fx) => `/app/requests/${fx.pending}/authorizations/official_exit_approval/document`,
    page: { form: {} }, // no file: back to the request page saying so; those who cannot read it get 404
    expect: pageFor({ ...UNAUTH, owner: 303, peer: 404, approver: 303, custodian: 404, auditor: 303, admin: 303 }),
  },
  'POST /app/requests/:id/materials/:index/document': {
    path: (fx) => `/app/requests/${fx.pending}/materials/0/document`,
    page: { form: {} },
    expect: pageFor({ ...UNAUTH, owner: 303, peer: 404, approver: 303, custodian: 404, auditor: 303, admin: 303 }),
  },
  'GET /app/requests/:id/materials/:index/document': {
    path: (fx) => `/app/requests/${fx.pending}/materials/0/document`,
    page: {},
    // as the API answers: no material declared (404), other readers may not download (403)
    expect: pageFor({ ...UNAUTH, owner: 404, peer: 404, approver: 403, custodian: 404, auditor: 404, admin: 404 }),
  },

  // ---- pages: approver (inbox, delegation) and custodian
  'GET /app/inbox': { path: () => '/app/inbox', page: {}, expect: pageFor(only(200, 'approver')) },
  'POST /app/inbox/bulk': {
    path: () => '/app/inbox/bulk',
    page: { form: { item: `${NIL_UUID}|hr`, confirmed: 'yes' } }, // a request that does not exist: refused on its own, nothing recorded
    expect: pageFor(only(200, 'approver')),
  },
  'GET /app/delegation': { path: () => '/app/delegation', page: {}, expect: pageFor(only(200, 'approver')) },
  // any other address under /app: a Not found page for everyone, signed in or not
  'GET /app/*path': { path: () => '/app/no-such-page', page: {}, expect: PUBLIC(404) },
  'POST /app/delegation': {
    path: () => '/app/delegation',
    page: { form: {} }, // empty form: the API's field errors, nothing saved
    expect: pageFor(only(400, 'approver')),
  },
  'POST /app/delegation/remove': {
    path: () => '/app/delegation/remove',
    page: {},
    expect: pageFor(only(303, 'approver')),
  },
  'GET /app/custody': { path: () => '/app/custody', page: {}, expect: pageFor(only(200, 'custodian')) },
  'POST /app/custody': {
    path: () => '/app/custody',
    page: { form: {} }, // empty form: the API's field errors, nothing recorded
    expect: pageFor(only(400, 'custodian')),
  },
  'POST /app/custody/:id/return': {
    path: (fx) => `/app/custody/${fx.passport}/return`,
    page: {},
    expect: pageFor(only(409, 'custodian')), // already in custody
  },
  'POST /app/custody/:id/hand-out': {
    path: (fx) => `/app/custody/${fx.passport}/hand-out`,
    page: {},
    expect: pageFor(only(400, 'custodian')), // identity not checked
  },

  // ---- reports
  'GET /api/reports/dashboard': { path: () => '/api/reports/dashboard', expect: only(200, 'auditor', 'admin') },

  // ---- pages: auditor (search, audit view, replay, evidence, chain)
  'GET /app/audit': { path: () => '/app/audit?q=conference', page: {}, expect: pageFor(only(200, 'auditor', 'admin')) },
  'GET /app/audit/policy': {
    path: () => '/app/audit/policy',
    page: {},
    expect: pageFor(only(200, 'auditor', 'admin')),
  },
  'GET /app/audit/chain': { path: () => '/app/audit/chain', page: {}, expect: pageFor(only(200, 'auditor', 'admin')) },
  'GET /app/audit/requests/:id': {
    path: (fx) => `/app/audit/requests/${fx.pending}`,
    page: {},
    expect: pageFor(only(200, 'auditor', 'admin')),
  },
  'POST /app/audit/requests/:id/replay': {
    path: (fx) => `/app/audit/requests/${fx.pending}/replay`,
    page: { form: {} },
    expect: pageFor(only(200, 'auditor', 'admin')),
  },
  'GET /app/audit/requests/:id/evidence': {
    path: (fx) => `/app/audit/requests/${fx.pending}/evidence`,
    page: {},
    expect: pageFor(only(200, 'auditor', 'admin')),
  },
  'GET /app/audit/requests/:id/history': {
    path: (fx) => `/app/audit/requests/${fx.pending}/history`,
    page: {},
    expect: pageFor(only(200, 'auditor', 'admin')),
  },

  // ---- pages: admin (policy, screening list, directory) and dashboard
  'GET /app/admin': { path: () => '/app/admin', page: {}, expect: pageFor(only(200, 'admin')) },
  'GET /app/admin/policy': { path: () => '/app/admin/policy', page: {}, expect: pageFor(only(200, 'admin')) },
  'GET /app/admin/authorizations': {
    path: () => '/app/admin/authorizations',
    page: {},
    expect: pageFor(only(200, 'admin')),
  },
  'POST /app/admin/policy/check': {
    path: () => '/app/admin/policy/check',
    page: { form: { policy: '{' } }, // not JSON: the problem is shown, nothing published
    expect: pageFor(only(400, 'admin')),
  },
  'POST /app/admin/policy/publish': {
    path: () => '/app/admin/policy/publish',
    page: { form: { policy: '{}' } }, // not a policy: refused by the API, nothing published
    expect: pageFor(only(400, 'admin')),
  },
  'GET /app/admin/screening': { path: () => '/app/admin/screening', page: {}, expect: pageFor(only(200, 'admin')) },
  'POST /app/admin/screening/import': {
    path: () => '/app/admin/screening/import',
    page: { form: { csv: 'not,the,columns\n1,2,3\n' } },
    expect: pageFor(only(400, 'admin')),
  },
  'POST /app/admin/screening/entries': {
    path: () => '/app/admin/screening/entries',
    page: { form: { name: 'Example' } }, // no source: refused by the API, nothing added
    expect: pageFor(only(400, 'admin')),
  },
  'POST /app/admin/screening/entries/:id': {
    path: () => `/app/admin/screening/entries/${NIL_UUID}`,
    page: { form: { name: 'Example', source: 'x', reason: 'authorization matrix' } }, // no such entry
    expect: pageFor(only(404, 'admin')),
  },
  'POST /app/admin/screening/entries/:id/remove': {
    path: () => `/app/admin/screening/entries/${NIL_UUID}/remove`,
    page: { form: { reason: 'authorization matrix' } }, // no such entry
    expect: pageFor(only(404, 'admin')),
  },
  'GET /app/admin/directory': { path: () => '/app/admin/directory', page: {}, expect: pageFor(only(200, 'admin')) },
  'POST /app/admin/directory/people/:email': {
    path: () => '/app/admin/directory/people/alice@example.com',
    // confirmed with a reason, and refused by the API: alice keeps her tier
    page: { form: { tier: 'no-such-tier', confirmed: 'yes', reason: 'authorization matrix' } },
    expect: pageFor(only(400, 'admin')),
  },
  'POST /app/admin/directory/import': {
    path: () => '/app/admin/directory/import',
    page: { form: { csv: 'not,the,columns\n1,2,3\n' } },
    expect: pageFor(only(400, 'admin')),
  },
  'GET /app/dashboard': { path: () => '/app/dashboard', page: {}, expect: pageFor(only(200, 'auditor', 'admin')) },

  // ---- Temporal codec server (outside /api, still needs a token)
  'POST /codec/encode': {
    path: () => '/codec/encode',
    body: () => ({ payloads: [] }),
    expect: only(200, 'auditor', 'admin'),
  },
  'POST /codec/decode': {
    path: () => '/codec/decode',
    body: () => ({ payloads: [] }),
    expect: only(200, 'auditor', 'admin'),
  },
};

/** Routes mounted outside Nest controllers (Swagger UI and document): public, checked separately. */
const NON_CONTROLLER_ROUTES: Record<string, number> = {
  'GET /api/docs': 200,
  'GET /api/docs-json': 200,
};

function matches(status: number, expected: Expectation): boolean {
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

describe('authorization matrix (every route × every caller)', () => {
  const database = testDatabases()[0];
  let system: TestSystem;
  let http: Http;
  let fx: Fixtures;
  const headersFor: Partial<Record<Who, Record<string, string>>> = {};
  /** The same callers as the pages see them: session cookie plus that session's CSRF token. */
  const pageHeadersFor: Partial<Record<Who, Record<string, string>>> = {};

  async function pageHeaders(bearer: string | undefined): Promise<Record<string, string>> {
    const session = bearer ? `clearance_session=${bearer.replace(/^Bearer /, '')}` : '';
    const signInPage = await http.request('GET', '/app/sign-in', { headers: session ? { cookie: session } : {} });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(signInPage.text)?.[1];
    const csrfCookie = /clearance_csrf=([^;]+)/.exec(signInPage.headers.get('set-cookie') ?? '')?.[1];
    if (!csrf || !csrfCookie) throw new Error(`no CSRF token on the sign-in page (${signInPage.status})`);
    return { cookie: [session, `clearance_csrf=${csrfCookie}`].filter(Boolean).join('; '), 'x-csrf-token': csrf };
  }

  const devToken = async (subject: string, expiresAt: number) =>
    new SignJWT({ email: subject, name: subject })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('clearance-dev')
      .setAudience('clearance')
      .setSubject(subject)
      .setIssuedAt(expiresAt - 3600)
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(system.config.auth.devSecret));

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    const now = Math.floor(Date.now() / 1000);
    headersFor.anonymous = {};
    headersFor.expired = { authorization: `Bearer ${await devToken('alice@example.com', now - 60)}` };
    headersFor.stranger = { authorization: `Bearer ${await devToken(EMAIL.stranger!, now + 3600)}` };
    for (const who of ['owner', 'peer', 'approver', 'custodian', 'auditor', 'admin'] as const) {
      headersFor[who] = { authorization: `Bearer ${await http.token(EMAIL[who]!)}` };
    }

    for (const who of WHO) pageHeadersFor[who] = await pageHeaders(headersFor[who]!.authorization);

    await depositPassport(http, 'alice@example.com');
    const passports = await http.as('custodian@example.com', 'GET', '/api/passports?employee=alice@example.com');
    const pending = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    const withdrawn = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect([pending.status, withdrawn.status]).toEqual([201, 201]);
    const withdrawal = await http.as('alice@example.com', 'POST', `/api/requests/${withdrawn.body.id}/withdraw`);
    expect(withdrawal.status).toBe(200);
    const policy = await http.as('admin@example.com', 'GET', '/api/policy');
    expect(policy.status).toBe(200);
    fx = {
      pending: pending.body.id,
      withdrawn: withdrawn.body.id,
      passport: passports.body.items[0].id,
      policy: policy.body,
      badLinkToken: 'eyJhbGciOiJIUzI1NiJ9.eyJyaWQiOiJ4In0.bm90LWEtc2lnbmF0dXJl',
    };
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('should have exactly one table entry for every route Nest serves', () => {
    const served = nestRoutes(system.app);
    expect(served.length).toBeGreaterThan(30);
    const missing = served.filter((r) => !(r in ROUTES));
    const stale = Object.keys(ROUTES).filter((r) => !served.includes(r));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it('should know every route on the express router too (nothing mounted behind Nest)', () => {
    const known = new Set([...Object.keys(ROUTES), ...Object.keys(NON_CONTROLLER_ROUTES)]);
    // Swagger UI serves its assets under /api/docs/ (and the YAML twin of the document)
    const unknown = expressRoutes(system.app).filter(
      (r) => !known.has(r) && !r.startsWith('GET /api/docs/') && r !== 'GET /api/docs-yaml',
    );
    expect(unknown).toEqual([]);
  });

  it('should serve the Swagger UI and document without a token', async () => {
    for (const [route, status] of Object.entries(NON_CONTROLLER_ROUTES)) {
      const [method, path] = route.split(' ');
      expect({ route, status: (await http.request(method, path)).status }).toEqual({ route, status });
    }
  });

  it('should answer every cell of the matrix as the table says', async () => {
    const mismatches: string[] = [];
    let cells = 0;
    for (const [route, spec] of Object.entries(ROUTES)) {
      const method = route.split(' ')[0];
      for (const who of WHO) {
        const expected = spec.expect[who];
        const res = spec.page
          ? await http.request(method, spec.path(fx), {
              form: method === 'GET' ? undefined : (spec.page.form ?? {}),
              headers: pageHeadersFor[who],
            })
          : await http.request(method, spec.path(fx), {
              body: spec.body?.(fx),
              raw: spec.raw?.text,
              headers: { ...headersFor[who], ...(spec.raw ? { 'content-type': spec.raw.contentType } : {}) },
            });
        cells++;
        if (!matches(res.status, expected)) {
          mismatches.push(
            `${route} as ${who}: ${res.status} (expected ${JSON.stringify(expected)}) ${res.text.slice(0, 160)}`,
          );
        }
        // whatever the table says, no cell may fail on the server
        if (res.status >= 500) mismatches.push(`${route} as ${who}: ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    expect(cells).toBe(Object.keys(ROUTES).length * WHO.length);
    expect(mismatches).toEqual([]);
  });

  it('should answer a stand-in as the state of the delegation says: refused, active, expired', async () => {
    // carol (an employee) as hr's stand-in. The API refuses to name her; an active delegation (one
    // stored before the bounds existed) opens what hr has pending in its window to read, but lets her
    // decide nothing (a delegate decides only while a member or lead of the party); an expired one
    // opens nothing. What closed before the window stays closed.
    const delegations = system.app.get(DataSource).getRepository(DelegationEntity);
    const request = (await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'))).body.id;
    const carol = async () => {
      const inbox = await http.as('carol@example.com', 'GET', '/api/approvals/inbox');
      return {
        read: (await http.as('carol@example.com', 'GET', `/api/requests/${request}`)).status,
        timeline: (await http.as('carol@example.com', 'GET', `/api/requests/${request}/timeline`)).status,
        closedBefore: (await http.as('carol@example.com', 'GET', `/api/requests/${fx.withdrawn}`)).status,
        inbox: inbox.body.items.some((i: any) => i.requestId === request),
        decide: (
          await http.as('carol@example.com', 'POST', `/api/requests/${request}/decisions`, {
            party: 'hr',
            decision: 'approve',
          })
        ).status,
      };
    };

    const refused = await http.as('hr@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'carol@example.com',
      from: daysFromNow(0),
      until: daysFromNow(7),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(['delegateEmail']);
    expect(await carol()).toEqual({ read: 404, timeline: 404, closedBefore: 404, inbox: false, decide: 404 });

    await delegations.save({
      delegatorEmail: 'hr@example.com',
      delegateEmail: 'carol@example.com',
      startsOn: daysFromNow(0),
      endsOn: daysFromNow(7),
      createdAt: new Date().toISOString(),
    });
    expect(await carol()).toEqual({ read: 200, timeline: 200, closedBefore: 404, inbox: true, decide: 403 });

    await delegations.update(
      { delegatorEmail: 'hr@example.com' },
      { startsOn: daysFromNow(-9), endsOn: daysFromNow(-1) },
    );
    expect(await carol()).toEqual({ read: 404, timeline: 404, closedBefore: 404, inbox: false, decide: 404 });
    await delegations.delete({ delegatorEmail: 'hr@example.com' });
  });

  it('should say 401 and not 403 to every unauthenticated caller of a non-public route', async () => {
    // Complements the table: the refusal happens before anything route-specific (no body, no params).
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec.expect.anonymous !== 401 || spec.page) continue;
      const [method, path] = route.split(' ');
      for (const who of ['anonymous', 'expired', 'stranger'] as const) {
        const res = await http.request(method, path.replace(/:[a-z]+/gi, 'x'), { headers: headersFor[who] });
        expect({ route, who, status: res.status, code: res.body?.code }).toEqual({
          route,
          who,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
    }
  });
});
