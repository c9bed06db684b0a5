import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';
import type { HttpResult } from '../support/http';
import { useSystem } from '../support/system';

const HEADER = 'email,name,tier,roles,manager_email,parties,leads,classified_access,confidentiality_period_ends';

/** Personnel directory administration through HTTP, on a real database. */
describe.each(testDatabases())('personnel directory on $name', (database) => {
  const { http } = useSystem(database);

  const importCsv = async (who: string, csv: string, query = ''): Promise<HttpResult> =>
    http.request('POST', `/api/directory/import${query}`, {
      raw: csv,
      headers: { authorization: `Bearer ${await http.token(who)}`, 'content-type': 'text/csv' },
    });
  const person = (email: string) => http.as('admin@example.com', 'GET', `/api/directory/people/${email}`);
  const put = (email: string, body: Record<string, unknown>) =>
    http.as('admin@example.com', 'PUT', `/api/directory/people/${email}`, body);
  const emails = (res: HttpResult) => res.body.items.map((p: { email: string }) => p.email);

  describe('authorization', () => {
    const someone = { name: 'Temp Person', tier: 'standard', roles: ['employee'] };
    const routes: Array<{
      name: string;
      call: (who: string) => Promise<HttpResult>;
      anonymous: () => Promise<HttpResult>;
    }> = [
      {
        name: 'GET /api/directory/people',
        call: (who) => http.as(who, 'GET', '/api/directory/people'),
        anonymous: () => http.request('GET', '/api/directory/people'),
      },
      {
        name: 'GET /api/directory/people/:email',
        call: (who) => http.as(who, 'GET', '/api/directory/people/alice@example.com'),
        anonymous: () => http.request('GET', '/api/directory/people/alice@example.com'),
      },
      {
        name: 'PUT /api/directory/people/:email',
        call: (who) => http.as(who, 'PUT', '/api/directory/people/temp@example.com', someone),
        anonymous: () => http.request('PUT', '/api/directory/people/temp@example.com', { body: someone }),
      },
      {
        name: 'POST /api/directory/import',
        call: (who) => importCsv(who, `${HEADER}\ntemp@example.com,Temp Person,standard,employee,,,,,`, '?dryRun=true'),
        anonymous: () =>
          http.request('POST', '/api/directory/import?dryRun=true', {
            raw: `${HEADER}\ntemp@example.com,Temp Person,standard,employee,,,,,`,
            headers: { 'content-type': 'text/csv' },
          }),
      },
    ];
    const reads = new Set(['GET /api/directory/people', 'GET /api/directory/people/:email']);

    it.each(routes.map((r) => [r.name, r]))('should let only the right roles call %s', async (name, route) => {
      expect((await route.call('admin@example.com')).status).toBeLessThan(300);
      expect((await route.call('auditor@example.com')).status).toBe(reads.has(name) ? 200 : 403);
      for (const who of ['alice@example.com', 'hr@example.com', 'custodian@example.com']) {
        expect({ who, status: (await route.call(who)).status }).toEqual({ who, status: 403 });
      }
      expect((await route.anonymous()).status).toBe(401);
    });
  });

  it('should answer 404 for someone not in the directory', async () => {
    expect((await person('nobody@example.com')).status).toBe(404);
  });

  it('should answer 400 naming every bad field of a PUT', async () => {
    const res = await put('zed@example.com', {
      name: '',
      tier: 'galactic',
      roles: [],
      managerEmail: 'zed@example.com',
      classifiedAccess: 'sometimes',
      confidentialityPeriodEnds: '31/12/2030',
      parties: [
        { party: 'legal', lead: true },
        { party: 'court', lead: false },
        { party: 'legal', lead: false },
      ],
      shoeSize: 44,
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([
      'classifiedAccess',
      'confidentialityPeriodEnds',
      'managerEmail',
      'name',
      'parties',
      'parties.1.party',
      'roles',
      'shoeSize',
      'tier',
    ]);
    expect((await put('not-an-email', { name: 'N', tier: null, roles: ['approver'] })).body.errors).toEqual([
      { field: 'email', messages: [expect.any(String)] },
    ]);
    const demote = await put('admin@example.com', { name: 'Amir Dahl', tier: null, roles: ['auditor'] });
    expect(demote.status).toBe(400);
    expect(demote.body.errors.map((e: { field: string }) => e.field)).toEqual(['roles']);
    expect((await person('zed@example.com')).status).toBe(404);
  });

  it('should create a person with flags and leads, read it back, and replace it whole', async () => {
    const created = await put('Zoe@Example.com', {
      name: 'Zoe Marin',
      tier: 'sensitive',
      roles: ['employee', 'approver'],
      managerEmail: 'Dave@Example.com',
      classifiedAccess: true,
      confidentialityPeriodEnds: '2031-06-30',
      parties: [
        { party: 'security', lead: true },
        { party: 'legal', lead: false },
      ],
    });
    expect(created.status).toBe(201);
    const expected = {
      email: 'zoe@example.com',
      name: 'Zoe Marin',
      tier: 'sensitive',
      roles: ['employee', 'approver'],
      managerEmail: 'dave@example.com',
      flags: { classifiedAccess: true, confidentialityPeriodEnds: '2031-06-30' },
      parties: [
        { party: 'legal', lead: false },
        { party: 'security', lead: true },
      ],
    };
    expect(created.body).toEqual(expected);
    const read = await http.as('auditor@example.com', 'GET', '/api/directory/people/zoe@example.com');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(expected);

    // PUT replaces: what is left out goes back to its default.
    const replaced = await put('zoe@example.com', { name: 'Zoe Marin', tier: null, roles: ['approver'] });
    expect(replaced.status).toBe(200);
    expect((await person('zoe@example.com')).body).toEqual({
      ...expected,
      tier: null,
      roles: ['approver'],
      managerEmail: null,
      flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
      parties: [],
    });
  });

  it('should list people by email with filters and pages', async () => {
    const list = (query: string) => http.as('auditor@example.com', 'GET', `/api/directory/people${query}`);
    const security = await list('?party=security');
    expect(emails(security)).toEqual(['security-lead@example.com', 'security@example.com']);
    expect(security.body.items[0]).toMatchObject({ parties: [{ party: 'security', lead: true }], flags: {} });
    expect(emails(await list('?role=auditor'))).toEqual(['auditor@example.com']);
    expect(emails(await list('?tier=core'))).toEqual(['alice@example.com']);
    expect(emails(await list('?q=LEAD&party=legal'))).toEqual(['legal-lead@example.com']);
    expect(emails(await list('?q=governance'))).toEqual(['datagov-lead@example.com', 'datagov@example.com']);
    // `_` and `%` match themselves, not any character.
    expect(emails(await list('?q=data_g'))).toEqual([]);
    expect(emails(await list('?tier=none&role=custodian'))).toEqual(['custodian@example.com']);

    const all: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: HttpResult = await list(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      all.push(...emails(page));
      cursor = page.body.nextCursor;
    }
    expect(all.length).toBeGreaterThanOrEqual(14);
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);

    const bad = await list('?tier=galactic&limit=0&cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['tier']);
    expect((await list('?limit=0')).body.errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
    expect((await list('?cursor=nonsense')).body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
  });

  it('should import a whole small directory from CSV, and only validate on a dry run', async () => {
    const csv = [
      HEADER,
      'nina@corp.example,Nina Sato,core,employee,omar@corp.example,,,false,',
      'omar@corp.example,Omar Haddad,strategic,employee,,,,true,2032-01-31',
      'pia@corp.example,"Pia Novak, HR",,approver,,hr,hr,,',
      'quinn@corp.example,Quinn Berg,,approver,,legal;security,security,FALSE,',
      '',
      'rae@corp.example,Rae Costa,,custodian;auditor,,,,,',
    ].join('\r\n');

    const dry = await importCsv('admin@example.com', csv, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dryRun: true, rows: 5, imported: 0, created: 0, updated: 0, errors: [] });
    expect((await person('nina@corp.example')).status).toBe(404);

    const res = await importCsv('admin@example.com', csv);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ dryRun: false, rows: 5, imported: 5, created: 5, updated: 0, errors: [] });
    expect((await person('omar@corp.example')).body).toEqual({
      email: 'omar@corp.example',
      name: 'Omar Haddad',
      tier: 'strategic',
      roles: ['employee'],
      managerEmail: null,
      flags: { classifiedAccess: true, confidentialityPeriodEnds: '2032-01-31' },
      parties: [],
    });
    expect((await person('quinn@corp.example')).body).toMatchObject({
      tier: null,
      flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
      parties: [
        { party: 'legal', lead: false },
        { party: 'security', lead: true },
      ],
    });
    expect((await person('pia@corp.example')).body.name).toBe('Pia Novak, HR');
    expect((await person('nina@corp.example')).body.managerEmail).toBe('omar@corp.example');
    const listed = await http.as('admin@example.com', 'GET', '/api/directory/people?q=corp.example');
    expect(emails(listed)).toEqual([
      'nina@corp.example',
      'omar@corp.example',
      'pia@corp.example',
      'quinn@corp.example',
      'rae@corp.example',
    ]);

    // Importing again replaces the same people.
    const again = await importCsv('admin@example.com', csv.replace('Nina Sato', 'Nina Sato-Berg'));
    expect(again.body).toMatchObject({ imported: 5, created: 0, updated: 5 });
    expect((await person('nina@corp.example')).body.name).toBe('Nina Sato-Berg');
  });

  it('should report every bad row of a CSV by spreadsheet row and import nothing', async () => {
    const csv = [
      HEADER,
      'good@bad.example,Good Person,standard,employee,,,,,',
      'not-an-email,No Email,standard,employee,,,,,',
      'tier@bad.example,Bad Tier,galactic,employee,,,,,',
      'roles@bad.example,No Roles,standard,,,,,,',
      'lead@bad.example,Lead Only,,approver,,hr,legal,,',
      'self@bad.example,Own Manager,standard,employee,self@bad.example,,,maybe,2030-02-30',
      'good@bad.example,Good Twice,standard,employee,,,,,',
    ].join('\n');
    const res = await importCsv('admin@example.com', csv);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', dryRun: false, rows: 7, imported: 0 });
    expect(res.body.message).toContain('nothing was imported');
    expect(res.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [3, 'email'],
      [4, 'tier'],
      [5, 'roles'],
      [6, 'leads'],
      [7, 'manager_email'],
      [7, 'classified_access'],
      [7, 'confidentiality_period_ends'],
      [8, 'email'],
    ]);
    for (const e of res.body.errors) expect(typeof e.message).toBe('string');
    expect((await person('good@bad.example')).status).toBe(404);
    expect(emails(await http.as('admin@example.com', 'GET', '/api/directory/people?q=bad.example'))).toEqual([]);
  });

  it('should refuse an import that is not text/csv, and an empty file', async () => {
    const json = await http.as('admin@example.com', 'POST', '/api/directory/import', { csv: HEADER });
    expect(json.status).toBe(415);
    const empty = await importCsv('admin@example.com', '');
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ row: 1, field: 'csv', message: expect.any(String) }]);
  });

  it('should apply a tier change to new requests only', async () => {
    const before = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(before.status).toBe(201);
    expect(before.body.requester).toEqual({ email: 'alice@example.com', tier: 'core' });

    const alice = (await person('alice@example.com')).body;
    const changed = await put('alice@example.com', {
      name: alice.name,
      tier: 'standard',
      roles: alice.roles,
      managerEmail: alice.managerEmail,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.tier).toBe('standard');

    const old = await http.as('alice@example.com', 'GET', `/api/requests/${before.body.id}`);
    expect(old.status).toBe(200);
    expect(old.body.requester).toEqual({ email: 'alice@example.com', tier: 'core' });

    const after = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'));
    expect(after.status).toBe(201);
    expect(after.body.requester).toEqual({ email: 'alice@example.com', tier: 'standard' });
  });
});
