import * as fs from 'node:fs';
import * as path from 'node:path';
import { CSL_COLUMNS } from '@libs/screening/csl-csv';
import { testDatabases } from '../support/databases';
import { useSystem } from '../support/system';

const SAMPLE = fs.readFileSync(path.join(__dirname, '../../seeds/screening/sample-csl.csv'), 'utf8');
const SAMPLE_ROWS = SAMPLE.trim().split('\n').length - 1;
const ADMIN = 'admin@example.com';
const AUDITOR = 'auditor@example.com';

/** Restricted-party screening through HTTP: the list (entries, import) and the check route. */
describe.each(testDatabases())('restricted-party screening on $name', (database) => {
  const { http } = useSystem(database);

  const importCsv = async (email: string, csv: string, query = '', contentType = 'text/csv') =>
    http.request('POST', `/api/screening/import${query}`, {
      raw: csv,
      headers: { authorization: `Bearer ${await http.token(email)}`, 'content-type': contentType },
    });
  const check = (email: string, body: unknown) => http.as(email, 'POST', '/api/screening/check', body);

  it('should let admins use every route, auditors read and check, and refuse everyone else', async () => {
    const entry = { name: 'Authz Probe Ltd', country: 'DE', source: 'internal' };
    expect((await http.as(ADMIN, 'GET', '/api/screening/entries')).status).toBe(200);
    expect((await check(ADMIN, { name: 'x' })).status).toBe(200);

    expect((await http.as(AUDITOR, 'GET', '/api/screening/entries')).status).toBe(200);
    expect((await check(AUDITOR, { name: 'x' })).status).toBe(200);
    expect((await http.as(AUDITOR, 'POST', '/api/screening/entries', entry)).status).toBe(403);
    expect((await importCsv(AUDITOR, SAMPLE)).status).toBe(403);

    for (const email of ['alice@example.com', 'hr@example.com', 'custodian@example.com']) {
      expect((await http.as(email, 'GET', '/api/screening/entries')).status).toBe(403);
      expect((await http.as(email, 'POST', '/api/screening/entries', entry)).status).toBe(403);
      expect((await importCsv(email, SAMPLE)).status).toBe(403);
      const refused = await check(email, { name: 'x' });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('FORBIDDEN');
    }

    expect((await http.request('GET', '/api/screening/entries')).status).toBe(401);
    expect((await http.request('POST', '/api/screening/entries', { body: entry })).status).toBe(401);
    expect(
      (await http.request('POST', '/api/screening/import', { raw: SAMPLE, headers: { 'content-type': 'text/csv' } }))
        .status,
    ).toBe(401);
    expect((await http.request('POST', '/api/screening/check', { body: { name: 'x' } })).status).toBe(401);
    // Nothing was stored by the refused calls.
    expect((await http.as(ADMIN, 'GET', '/api/screening/entries')).body.items).toEqual([]);
  });

  it('should create an entry (201) and answer 400 naming every bad field', async () => {
    const created = await http.as(ADMIN, 'POST', '/api/screening/entries', {
      name: '  Vortex Dynamics Co. ',
      country: 'ir',
      source: 'internal',
      aliases: ['Vortex', 'Vortex', 'Vortex Dynamics Co.'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Vortex Dynamics Co.',
      aliases: ['Vortex'],
      country: 'IR',
      source: 'internal',
      externalId: null,
      createdAt: expect.any(String),
    });
    const noCountry = await http.as(ADMIN, 'POST', '/api/screening/entries', {
      name: 'Stateless Holdings',
      country: null,
      source: 'internal',
    });
    expect(noCountry.status).toBe(201);
    expect(noCountry.body.country).toBeNull();

    const bad = await http.as(ADMIN, 'POST', '/api/screening/entries', {
      name: '   ',
      country: 'XX',
      aliases: ['ok', 7],
      colour: 'red',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'aliases',
      'colour',
      'country',
      'name',
      'source',
    ]);
    expect((await http.as(ADMIN, 'POST', '/api/screening/entries', ['not', 'an', 'object'])).status).toBe(400);
  });

  it('should import the sample list and report what it did', async () => {
    const res = await importCsv(ADMIN, SAMPLE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: SAMPLE_ROWS, skipped: 0, replaced: 0, errors: [] });

    const found = await http.as(AUDITOR, 'GET', '/api/screening/entries?q=acme%20quantum');
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      items: [
        {
          id: expect.any(String),
          name: 'ACME Quantum Research Institute',
          aliases: ['AQRI', 'Acme Quantum Research Inst.', 'Beijing Acme Quantum Institute'],
          country: 'CN',
          source: 'Entity List (EL) - Bureau of Industry and Security',
          externalId: 'sample-0001',
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect((await http.as(AUDITOR, 'GET', '/api/screening/entries?q=aqri')).body.items).toHaveLength(1);

    // Paging by cursor walks every entry once, in name order.
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ name: string }>; nextCursor: string | null } } =
        await http.as(ADMIN, 'GET', `/api/screening/entries?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      names.push(...page.body.items.map((e) => e.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(names).toHaveLength(SAMPLE_ROWS + 2);
    expect(new Set(names).size).toBe(names.length);

    const badQuery = await http.as(ADMIN, 'GET', '/api/screening/entries?limit=0&cursor=nonsense&extra=1');
    expect(badQuery.status).toBe(400);

    // Importing the same list again replaces its sources instead of doubling them.
    const again = await importCsv(ADMIN, SAMPLE);
    expect(again.body).toEqual({ imported: SAMPLE_ROWS, skipped: 0, replaced: SAMPLE_ROWS, errors: [] });
    const all = await http.as(ADMIN, 'GET', '/api/screening/entries?limit=200');
    expect(all.body.items).toHaveLength(SAMPLE_ROWS + 2);
  });

  it('should import the good rows of a list with bad ones and report the bad ones by row', async () => {
    const line = (values: Record<string, string>) => CSL_COLUMNS.map((c) => values[c] ?? '').join(',');
    const csv = [
      CSL_COLUMNS.join(','),
      line({ _id: 'up-1', source: 'upload', name: 'Good Upload One', addresses: '"Tehran, IR"' }),
      line({ _id: 'up-2', source: 'upload', name: '' }),
      line({ _id: 'up-3', source: '', name: 'No Source Trading' }),
      line({ _id: 'up-4', source: 'upload', name: 'Good Upload Two', alt_names: 'GU2; Good Two' }),
    ].join('\n');
    const res = await importCsv(ADMIN, csv, '?mode=append');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      imported: 2,
      skipped: 2,
      replaced: 0,
      errors: [
        { row: 3, field: 'name', message: 'name is required' },
        { row: 4, field: 'source', message: 'source is required' },
      ],
    });
    const stored = await http.as(ADMIN, 'GET', '/api/screening/entries?source=upload');
    expect(stored.body.items.map((e: { name: string; country: string }) => [e.name, e.country])).toEqual([
      ['Good Upload One', 'IR'],
      ['Good Upload Two', null],
    ]);
  });

  it('should refuse a file it cannot read whole: missing columns, broken quoting, wrong media type, bad mode', async () => {
    const missing = await importCsv(ADMIN, 'id,title\n1,x\n');
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'header', messages: ['row 1: missing columns: _id, source, name, alt_names, addresses'] },
    ]);
    const broken = await importCsv(ADMIN, `${CSL_COLUMNS.join(',')}\n1,S,,,,"Unclosed\n`);
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].field).toBe('csv');
    const json = await http.as(ADMIN, 'POST', '/api/screening/import', { csv: SAMPLE });
    expect(json.status).toBe(415);
    expect((await importCsv(ADMIN, SAMPLE, '?mode=merge')).status).toBe(400);
  });

  it('should check a name against the list and answer the hits with score and entry', async () => {
    const res = await check(AUDITOR, { name: 'Acme Quantum Research Inst.', country: 'US' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'Acme Quantum Research Inst.',
      country: 'US',
      threshold: expect.any(Number),
      hits: [
        {
          score: 100,
          matchedName: 'ACME Quantum Research Institute',
          countryMatch: false,
          entry: {
            id: expect.any(String),
            name: 'ACME Quantum Research Institute',
            aliases: ['AQRI', 'Acme Quantum Research Inst.', 'Beijing Acme Quantum Institute'],
            country: 'CN',
            source: 'Entity List (EL) - Bureau of Industry and Security',
          },
        },
      ],
    });
    const typo = await check(ADMIN, { name: 'acme qunatum reserch institute' });
    expect(typo.body.hits).toHaveLength(1);
    expect(typo.body.hits[0].score).toBeGreaterThanOrEqual(res.body.threshold);
    expect(typo.body.hits[0].score).toBeLessThan(100);
    expect((await check(ADMIN, { name: 'Vortex Dynamics Company' })).body.hits[0].entry.name).toBe(
      'Vortex Dynamics Co.',
    );
    expect((await check(ADMIN, { name: 'Acme Quantum Computing', country: 'CN' })).body.hits).toEqual([]);
    expect((await check(ADMIN, { name: 'Beta Labs' })).body.hits).toEqual([]);

    const bad = await check(ADMIN, { country: 'China' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['country', 'name']);
  });
});
