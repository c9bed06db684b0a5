import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { testDatabases } from '../../tests/support/databases';
import { DuplicateScreeningEntryError, openDataSource, ScreeningEntryRepository } from '../persistence';
import { parseCslCsv } from './csl-csv';
import { ScreeningService } from './screening.service';

const SAMPLE = fs.readFileSync(path.join(__dirname, '../../seeds/screening/sample-csl.csv'), 'utf8');
const EL = 'Entity List (EL) - Bureau of Industry and Security';

/** The service on a real database; a second connection plays another process (API replica, worker). */
describe.each(testDatabases())('ScreeningService on $name', (database) => {
  let drop: () => Promise<void>;
  let here: DataSource;
  let elsewhere: DataSource;
  let repo: ScreeningEntryRepository;
  let other: ScreeningEntryRepository;
  let service: ScreeningService;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    const config = db.env.DATABASE_URL
      ? ({ type: 'postgres', url: db.env.DATABASE_URL } as const)
      : ({ type: 'sqlite', path: db.env.SQLITE_PATH } as const);
    here = await openDataSource(config, { migrate: true });
    elsewhere = await openDataSource(config, { migrate: false });
    repo = new ScreeningEntryRepository(here);
    other = new ScreeningEntryRepository(elsewhere);
    service = new ScreeningService(repo);
    await repo.importEntries(parseCslCsv(SAMPLE).entries, { mode: 'replace', now: new Date().toISOString() });
  });

  afterAll(async () => {
    await here?.destroy();
    await elsewhere?.destroy();
    await drop?.();
  });

  it('should answer every hit of every counterparty with the entry and the score', async () => {
    const hits = await service.screen([
      { name: 'Example Org', country: 'US' },
      { name: 'Acme Quantum Research Inst.', country: 'CN' },
      { name: 'Orion Precision Machining L.L.C.', country: 'AE' },
    ]);
    expect(hits).toEqual([
      {
        counterparty: 'Acme Quantum Research Inst.',
        counterpartyCountry: 'CN',
        entryId: expect.any(String),
        entryName: 'ACME Quantum Research Institute',
        matchedName: 'ACME Quantum Research Institute',
        source: EL,
        score: 100,
      },
      expect.objectContaining({
        counterparty: 'Orion Precision Machining L.L.C.',
        entryName: 'Orion Precision Machining LLC',
        score: 100,
      }),
    ]);
    expect(await repo.findById(hits[0].entryId)).toMatchObject({ name: 'ACME Quantum Research Institute' });
    expect(await service.screen([])).toEqual([]);
    expect(await service.screen([{ name: 'Acme Quantum Computing', country: 'CN' }])).toEqual([]);
  });

  it('should load the list once while it does not change', async () => {
    await service.screen([{ name: 'Warm Up', country: 'US' }]);
    const load = jest.spyOn(repo, 'allParties');
    await service.screen([{ name: 'Beta Labs', country: 'HK' }]);
    await Promise.all([service.screen([{ name: 'A', country: 'US' }]), service.check('B')]);
    expect(load).not.toHaveBeenCalled();
    load.mockRestore();
  });

  it('should see entries added by another process at the next screening', async () => {
    const before = await service.screen([{ name: 'Vortex Dynamics', country: 'IR' }]);
    expect(before).toEqual([]);
    await other.create(
      { name: 'Vortex Dynamics Co.', aliases: [], country: 'IR', source: 'internal', externalId: null },
      new Date().toISOString(),
    );
    const after = await service.screen([{ name: 'Vortex Dynamics', country: 'IR' }]);
    expect(after.map((h) => h.entryName)).toEqual(['Vortex Dynamics Co.']);
  });

  it('should see a replace by another process even when the count stays the same and its clock is behind', async () => {
    const rename = (from: string, to: string) =>
      parseCslCsv(SAMPLE).entries.map((e) => (e.name === from ? { ...e, name: to } : e));
    expect(await service.screen([{ name: 'Zephyr Optics', country: 'CN' }])).toEqual([]);
    const { imported, replaced } = await other.importEntries(
      rename('ACME Quantum Research Institute', 'Zephyr Optics'),
      { mode: 'replace', now: '2000-01-01T00:00:00.000Z' },
    );
    expect(replaced).toBe(imported);
    expect((await service.screen([{ name: 'Zephyr Optics', country: 'CN' }])).map((h) => h.entryName)).toEqual([
      'Zephyr Optics',
    ]);
    // The aliases of the replaced row remain, now on the renamed entry.
    expect((await service.screen([{ name: 'AQRI', country: 'CN' }])).map((h) => h.entryName)).toEqual([
      'Zephyr Optics',
    ]);
  });

  it('should see an edit and a removal by another process at the next screening, whatever its clock', async () => {
    const entry = await other.create(
      { name: 'Quasar Kinetics Ltd', aliases: [], country: 'KP', source: 'internal', externalId: null },
      new Date().toISOString(),
    );
    expect((await service.screen([{ name: 'Quasar Kinetics', country: 'KP' }])).map((h) => h.entryId)).toEqual([
      entry.id,
    ]);
    const behind = '2000-01-01T00:00:00.000Z';
    await other.update(entry.id, { name: 'Pulsar Kinetics Ltd' }, { now: behind, actor: 'a@example.com', reason: 'r' });
    expect(await service.screen([{ name: 'Quasar Kinetics', country: 'KP' }])).toEqual([]);
    expect((await service.screen([{ name: 'Pulsar Kinetics', country: 'KP' }])).map((h) => h.entryId)).toEqual([
      entry.id,
    ]);
    await other.remove(entry.id, { now: behind, actor: 'a@example.com', reason: 'delisted' });
    expect(await service.screen([{ name: 'Pulsar Kinetics', country: 'KP' }])).toEqual([]);
    expect(await service.check('Pulsar Kinetics')).toEqual([]);
    expect(await repo.findById(entry.id)).toMatchObject({ removedBy: 'a@example.com', removalReason: 'delisted' });
  });

  it('should count one entry once for a counterparty named twice, and keep distinct entries apart', async () => {
    const hits = await service.screen([
      { name: 'Orion Precision Machining L.L.C.', country: 'AE' },
      { name: 'orion precision machining llc', country: 'ae' },
      { name: 'Orion Precision Machinng', country: 'AE' },
    ]);
    expect(hits.map((h) => [h.counterparty, h.entryName])).toEqual([
      ['Orion Precision Machining L.L.C.', 'Orion Precision Machining LLC'],
      ['Orion Precision Machinng', 'Orion Precision Machining LLC'],
    ]);
  });

  it('should refuse a duplicate in the repository itself, also when two writers race', async () => {
    const entry = { name: 'Race Condition Optics', aliases: [], country: 'CN', source: 'race', externalId: null };
    const now = new Date().toISOString();
    const writes = [
      () => repo.create(entry, now),
      () => other.create({ ...entry, name: 'race condition optics' }, now),
    ];
    // better-sqlite3 blocks the thread while it waits for the write lock, so two connections of one
    // process cannot race on SQLite (two processes can, and then take turns): there they write in turn.
    const results =
      database.name === 'postgres'
        ? await Promise.allSettled(writes.map((w) => w()))
        : [...(await Promise.allSettled([writes[0]()])), ...(await Promise.allSettled([writes[1]()]))];
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DuplicateScreeningEntryError);
    expect((await repo.list({ source: 'race', limit: 10 })).length).toBe(1);
  });

  it('should replace only the sources in an import and append when asked', async () => {
    const count = async (source: string) => (await repo.list({ source, limit: 1000 })).length;
    const internal = await count('internal');
    const el = await count(EL);
    const entry = { name: 'Only EL', aliases: [], country: null, source: EL, externalId: 'x' };
    const now = new Date().toISOString();
    expect(await repo.importEntries([entry], { mode: 'replace', now })).toEqual({
      imported: 1,
      replaced: el,
      duplicates: [],
    });
    expect(await count(EL)).toBe(1);
    expect(await count('internal')).toBe(internal);
    expect(await repo.importEntries([{ ...entry, name: 'Second EL' }], { mode: 'append', now })).toEqual({
      imported: 1,
      replaced: 0,
      duplicates: [],
    });
    expect(await count(EL)).toBe(2);
  });

  it('should search names and aliases case-insensitively, with % and _ taken literally, and page by name', async () => {
    const now = new Date().toISOString();
    await repo.importEntries(
      [
        { name: 'Paging C', aliases: ['100% Alias_One'], country: null, source: 'paging', externalId: null },
        { name: 'Paging A', aliases: [], country: null, source: 'paging', externalId: null },
        { name: 'Paging B', aliases: [], country: null, source: 'paging', externalId: null },
      ],
      { mode: 'replace', now },
    );
    expect((await repo.list({ q: 'paging', limit: 10 })).map((e) => e.name)).toEqual([
      'Paging A',
      'Paging B',
      'Paging C',
    ]);
    expect((await repo.list({ q: 'ALIAS_ONE', limit: 10 })).map((e) => e.name)).toEqual(['Paging C']);
    expect((await repo.list({ q: '100%', limit: 10 })).map((e) => e.name)).toEqual(['Paging C']);
    expect(await repo.list({ q: 'alias_', source: 'nope', limit: 10 })).toEqual([]);
    expect(await repo.list({ q: 'pag_ng', limit: 10 })).toEqual([]);
    const first = await repo.list({ source: 'paging', limit: 2 });
    const rest = await repo.list({ source: 'paging', limit: 2, after: first[1] });
    expect([...first, ...rest].map((e) => e.name)).toEqual(['Paging A', 'Paging B', 'Paging C']);
  });
});
