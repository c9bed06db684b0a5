import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { testDatabases } from '../support/databases';
import { depositPassport, requestBody } from '../support/factories';
import { Http, type HttpResult } from '../support/http';
import { nestRoutes } from '../support/routes';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Property-based fuzzing of every route Nest serves: random and boundary bodies, query strings,
 * path params and headers, as an admin and as an employee. Whatever comes in, the API answers
 * without a 5xx, without a stack trace, with the one JSON error shape, and leaves no partial
 * records behind.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Runs per route for the generic property; the focused properties below add their own. */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 40);

const STACK_TRACE = /\bat .*\.(js|ts):\d+/;
/** Tables only the API writes (the workflow never adds rows to them): a refused call must leave them as they were. */
const API_WRITTEN_TABLES = [
  'requests',
  'people',
  'party_members',
  'screening_entries',
  'passports',
  'delegations',
  'policy_versions',
] as const;

const BOUNDARY_STRINGS = [
  '',
  ' ',
  'x'.repeat(10_000),
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9'.repeat(40),
  '2024-02-30',
  '0000-00-00',
  '9999-12-31',
  'ünïcødé ✈️ 日本語 עברית',
  '\u0000',
  '\uFEFF',
  '\uD800', // lone surrogate
  '../../etc/passwd',
  '%00',
  "'; DROP TABLE requests; --",
  '<script>alert(1)</script>',
  '{{constructor.constructor("return process")()}}',
  'alice@example.com',
  'ALICE@EXAMPLE.COM',
];

const nested = (depth: number, wrap: (inner: unknown) => unknown): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
};

const BOUNDARY_VALUES: unknown[] = [
  nested(3_000, (inner) => [inner]),
  nested(3_000, (inner) => ({ a: inner })),
  nested(40, (inner) => ({ constructor: inner })),
  null,
  true,
  false,
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  [],
  {},
  [null],
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
  ...BOUNDARY_STRINGS,
];

const boundaryString = fc.constantFrom(...BOUNDARY_STRINGS);
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: boundaryString },
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(...BOUNDARY_VALUES) },
  { weight: 1, arbitrary: fc.object({ maxDepth: 2, withNullPrototype: false }) },
  { weight: 2, arbitrary: anyString },
);

/** A valid request body with one field dropped, replaced, or nested oddly: almost always invalid. */
const mutatedRequestBody: fc.Arbitrary<unknown> = fc
  .record({
    type: fc.constantFrom('conference', 'overseas_assignment', 'ma_participation', 'departure_abroad'),
    field: fc.constantFrom(
      'type',
      'destinationCountry',
      'departureDate',
      'returnDate',
      'purpose',
      'counterparties',
      'technologyAreas',
      'dataCategories',
      'details',
    ),
    how: fc.constantFrom('drop', 'replace', 'replaceInDetails', 'replaceInCounterparty'),
    value: anyValue,
  })
  .map(({ type, field, how, value }) => {
    const body = requestBody(type);
    if (how === 'drop') delete body[field];
    else if (how === 'replace') body[field] = value;
    else if (how === 'replaceInDetails') body.details = { ...body.details, [Object.keys(body.details)[0]]: value };
    else body.counterparties = [{ ...body.counterparties[0], [field === 'type' ? 'name' : 'country']: value }];
    return body;
  });

const anyBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyValue },
  { weight: 2, arbitrary: mutatedRequestBody },
  { weight: 1, arbitrary: fc.dictionary(anyString, anyValue, { maxKeys: 6 }) },
);

/** Query strings: random keys and values, repeated keys (arrays), odd encodings. */
const anyQuery = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('limit', 'cursor', 'status', 'type', 'mine', 'q', 'tier', 'party', 'role', 'source'),
        fc.constantFrom('version', 'employee', 'head', 'destination', 'to', 'mode', '__proto__', 'limit[]'),
        fc.string({ maxLength: 10 }),
      ),
      anyString,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'));

/** Header values fetch can send: printable ASCII (and latin-1), no CR/LF/NUL. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
  fc.constantFrom('', ' ', 'x'.repeat(201), 'k'.repeat(8_000), '__proto__', 'null'),
);

/** encodeURIComponent, except that a lone surrogate becomes a broken percent-escape (itself a good probe). */
function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80%E0';
  }
}

type Caller = 'admin@example.com' | 'alice@example.com' | 'hr@example.com';
const caller = fc.constantFrom<Caller>('admin@example.com', 'alice@example.com', 'hr@example.com');

describe('fuzzing every route', () => {
  const database = testDatabases()[0];
  let system: TestSystem;
  let http: Http;
  let dataSource: DataSource;
  let routes: string[];
  let pendingId: string;
  let submissions = 0;

  const counts = async (): Promise<Record<string, number>> => {
    const sql = API_WRITTEN_TABLES.map((t) => `SELECT '${t}' AS name, COUNT(*) AS n FROM ${t}`).join(' UNION ALL ');
    const rows: { name: string; n: number | string }[] = await dataSource.query(sql);
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  };

  /** Pages (/app) take the caller's token as the session cookie, with that session's CSRF token. */
  const pageSessions = new Map<Caller, Record<string, string>>();
  const pageHeaders = async (as: Caller): Promise<Record<string, string>> => {
    const known = pageSessions.get(as);
    if (known) return known;
    const session = `clearance_session=${await http.token(as)}`;
    const page = await http.request('GET', '/app/sign-in', { headers: { cookie: session } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const csrfCookie = /clearance_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const headers = { cookie: `${session}; clearance_csrf=${csrfCookie}`, 'x-csrf-token': csrf };
    pageSessions.set(as, headers);
    return headers;
  };

  /** Sends one request and checks what every answer must look like (throwing, so fast-check reports the case). */
  const send = async (
    label: string,
    method: string,
    path: string,
    options: { as?: Caller; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<HttpResult> => {
    const headers = { ...(options.headers ?? {}) };
    if (options.as && path.startsWith('/app')) Object.assign(headers, await pageHeaders(options.as));
    else if (options.as) headers.authorization ??= `Bearer ${await http.token(options.as)}`;
    const writes = method !== 'GET';
    const before = writes ? await counts() : undefined;
    const res = await http.request(method, path, {
      headers,
      ...(options.raw !== undefined ? { raw: options.raw } : options.body !== undefined ? { body: options.body } : {}),
    });
    const failures: string[] = [];
    const where = `${label}: ${method} ${path.slice(0, 120)} as ${options.as ?? 'nobody'} -> ${res.status}`;
    if (res.status >= 500) failures.push(`${where} ${res.text.slice(0, 300)}`);
    if (STACK_TRACE.test(res.text) || res.text.includes('node_modules')) failures.push(`${where} leaks a stack trace`);
    const json = (res.headers.get('content-type') ?? '').includes('application/json');
    if (res.status >= 400 && json) {
      if (res.body?.statusCode !== res.status || res.body?.message === undefined) {
        failures.push(`${where} error body lacks statusCode/message: ${res.text.slice(0, 200)}`);
      }
    }
    if (writes && res.status >= 400) {
      const after = await counts();
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        failures.push(`${where} refused, yet changed ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      }
    }
    if (method === 'POST' && path.split('?')[0] === '/api/requests' && res.status === 201) submissions++;
    if (failures.length > 0) throw new Error(failures.splice(0).join('\n'));
    return res;
  };

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    dataSource = system.app.get(DataSource);
    routes = nestRoutes(system.app);
    await depositPassport(http, 'alice@example.com');
    const pending = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(pending.status).toBe(201);
    pendingId = pending.body.id;
    // eslint-disable-next-line no-console
    if (process.env.FUZZ_SEED === undefined) console.log(`fuzz seed ${SEED} (set FUZZ_SEED to replay)`);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it(
    'should survive random path params, query strings and bodies on every route',
    async () => {
      expect(routes.length).toBeGreaterThan(30);
      const param = fc.oneof(
        { weight: 2, arbitrary: anyString },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constant('PENDING') },
        { weight: 1, arbitrary: fc.constantFrom('1', 'training', 'condition-1', 'condition-9999', 'debrief') },
      );
      for (const [index, route] of routes.entries()) {
        const [method, template] = route.split(' ');
        const names = template.match(/:[A-Za-z]+/g) ?? [];
        await fc.assert(
          fc.asyncProperty(
            fc.array(param, { minLength: names.length, maxLength: names.length }),
            anyQuery,
            anyBody,
            caller,
            async (params, query, body, as) => {
              let path = template;
              names.forEach((name, i) => {
                const value = params[i] === 'PENDING' ? pendingId : params[i];
                path = path.replace(name, enc(value) || '%20');
              });
              if (path === '/dev/mailbox' && method === 'DELETE') return; // would only empty the dev mailbox
              const hasBody = method === 'POST' || method === 'PUT';
              await send(route, method, query ? `${path}?${query}` : path, { as, body: hasBody ? body : undefined });
            },
          ),
          { numRuns: RUNS_PER_ROUTE, seed: SEED + index, endOnFailure: true },
        );
      }
    },
    Math.max(60_000, RUNS_PER_ROUTE * 2_000),
  );

  // Its work grows with the routes (every GET route × 2 callers × 16 names, about 2,000 requests): a longer limit.
  it('should refuse a repeated single-valued query parameter (it arrives as an array) on every route', async () => {
    const names = ['limit', 'cursor', 'status', 'type', 'mine', 'q', 'tier', 'party', 'role', 'source', 'version'];
    names.push('employee', 'head', 'destination', 'to', 'mode');
    const withQueries = ['POST /api/policy/evaluate', 'POST /api/directory/import', 'POST /api/screening/import'];
    for (const route of routes.filter((r) => r.startsWith('GET ') || withQueries.includes(r))) {
      const [method, template] = route.split(' ');
      const path = template.replace(/:[A-Za-z]+/g, (name) => (name === ':kind' ? 'training' : pendingId));
      for (const as of ['admin@example.com', 'alice@example.com'] as const) {
        for (const name of names) {
          for (const values of [['US', 'US']]) {
            const query = values.map((v) => `${name}=${encodeURIComponent(v)}`).join('&');
            const body = method === 'POST' || method === 'PUT' ? {} : undefined;
            await send('repeated query', method, `${path}?${query}`, { as, body });
          }
        }
      }
    }
  }, 240_000);

  it('should refuse malformed submissions without recording anything, whatever the field', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedRequestBody, caller, async (body, as) => {
        const res = await send('submit', 'POST', '/api/requests', { as, body });
        if (as !== 'alice@example.com') expect(res.status).toBe(403);
      }),
      { numRuns: 300, seed: SEED, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(mutatedRequestBody, async (body) => {
        await send('evaluate', 'POST', '/api/policy/evaluate', { as: 'alice@example.com', body });
        await send('amend', 'POST', `/api/requests/${pendingId}/amend`, { as: 'admin@example.com', body });
      }),
      { numRuns: 150, seed: SEED, endOnFailure: true },
    );
    expect(submissions).toBeLessThan(60); // valid ones start real workflows: keep them bounded
  });

  it('should survive odd headers: idempotency keys, content types, authorization', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'application/json; charset=klingon',
      'text/plain',
      'text/csv',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
      'application/json, text/csv',
    );
    const rawBody = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{',
        '{"a":',
        '[1,2',
        'null',
        '"',
        '\u0000',
        '{"__proto__":{"x":1}}',
        'a,b\n1,2',
        'x'.repeat(70_000),
      ),
    );
    const targets = [
      'POST /api/requests',
      'POST /api/policy/evaluate',
      'PUT /api/policy',
      'POST /api/directory/import',
      'POST /api/screening/import',
      'POST /api/screening/entries',
      'POST /api/approvals/bulk',
      'PUT /api/me/delegation',
      'POST /api/passports',
      'POST /codec/decode',
      'POST /api/auth/dev-login',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        contentType,
        rawBody,
        headerValue,
        caller,
        async (target, type, raw, key, as) => {
          const [method, path] = target.split(' ');
          await send('content', method, path, {
            as,
            raw,
            headers: { 'content-type': type, 'idempotency-key': key, 'x-namespace': key },
          });
        },
      ),
      { numRuns: 400, seed: SEED, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(headerValue, fc.constantFrom('Bearer ', 'bearer ', 'Basic ', '', 'Bearer  '), async (v, s) => {
        const res = await send('authorization', 'GET', '/api/requests', { headers: { authorization: `${s}${v}` } });
        expect(res.status).toBe(401);
      }),
      { numRuns: 150, seed: SEED, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(headerValue, async (key) => {
        const res = await send('idempotency', 'POST', '/api/requests', {
          as: 'alice@example.com',
          body: requestBody('conference', { purpose: '' }), // invalid: nothing may be recorded under the key
          headers: { 'idempotency-key': key },
        });
        expect(res.status).toBe(400);
      }),
      { numRuns: 100, seed: SEED, endOnFailure: true },
    );
  });

  it('should leave no partial records: every request has its approvals and every approval its request', async () => {
    const orphans = await dataSource.query(
      'SELECT a.request_id FROM approvals a LEFT JOIN requests r ON r.id = a.request_id WHERE r.id IS NULL',
    );
    const bare = await dataSource.query(
      'SELECT r.id FROM requests r LEFT JOIN approvals a ON a.request_id = r.id WHERE a.request_id IS NULL',
    );
    expect({ orphans, bare }).toEqual({ orphans: [], bare: [] });
    const decisionOrphans = await dataSource.query(
      'SELECT d.request_id FROM decisions d LEFT JOIN requests r ON r.id = d.request_id WHERE r.id IS NULL',
    );
    expect(decisionOrphans).toEqual([]);
  });
});
