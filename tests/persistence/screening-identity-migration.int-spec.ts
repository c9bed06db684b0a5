import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  AuditLogEntity,
  AuditLogRepository,
  dataSourceOptions,
  ScreeningEntryEntity,
  ScreeningEntryRepository,
} from '@libs/persistence';
import { MIGRATIONS } from '@libs/persistence/migrations';
import {
  SCREENING_DEDUP_MIGRATION,
  ScreeningIdentity1763900009000,
} from '@libs/persistence/migrations/1763900009000-screening-identity';
import { testDatabases, type DatabaseConfig } from '../support/databases';

/**
 * Issue 13: the restricted-party list's identity arrives on databases that already hold duplicates.
 * The migration keeps the oldest entry of each identity, marks the others removed (by the migration,
 * saying why), and only then makes the identity unique among active entries.
 */
describe.each(testDatabases())('the screening identity migration on $name', (database) => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    const config: DatabaseConfig = db.env.DATABASE_URL
      ? { type: 'postgres', url: db.env.DATABASE_URL }
      : { type: 'sqlite', path: db.env.SQLITE_PATH };
    // The schema as it was before this migration.
    const before = new DataSource({
      ...dataSourceOptions(config),
      migrations: MIGRATIONS.filter((m) => m !== ScreeningIdentity1763900009000),
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    const insert = (id: string, name: string, country: string | null, source: string, createdAt: string) =>
      before.query(
        'INSERT INTO screening_entries (id, name, aliases, country, source, external_id, created_at) ' +
          `VALUES (${[1, 2, 3, 4, 5, 6, 7].map((i) => (config.type === 'postgres' ? `$${i}` : '?')).join(', ')})`,
        [id, name, '[]', country, source, null, createdAt],
      );
    await insert(
      '00000000-0000-4000-8000-000000000003',
      'acme quantum research inst.',
      'CN',
      'CSL',
      '2026-01-03T00:00:00.000Z',
    );
    await insert(
      '00000000-0000-4000-8000-000000000001',
      'ACME Quantum Research Institute',
      'CN',
      'CSL',
      '2026-01-01T00:00:00.000Z',
    );
    await insert(
      '00000000-0000-4000-8000-000000000002',
      'Research Institute, ACME Quantum',
      'CN',
      'CSL',
      '2026-01-02T00:00:00.000Z',
    );
    await insert(
      '00000000-0000-4000-8000-000000000004',
      'ACME Quantum Research Institute',
      'HK',
      'CSL',
      '2026-01-01T00:00:00.000Z',
    );
    await insert(
      '00000000-0000-4000-8000-000000000005',
      'Stateless Holdings',
      null,
      'internal',
      '2026-01-01T00:00:00.000Z',
    );
    await insert(
      '00000000-0000-4000-8000-000000000006',
      'Stateless Holding',
      null,
      'internal',
      '2026-01-05T00:00:00.000Z',
    );
    await before.destroy();

    dataSource = new DataSource(dataSourceOptions(config));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  it('should keep the oldest entry of each identity and mark the others removed by the migration', async () => {
    const rows = await dataSource.getRepository(ScreeningEntryEntity).find({ order: { id: 'ASC' } });
    const kept = '00000000-0000-4000-8000-000000000001';
    expect(rows.map((r) => [r.id.slice(-1), r.removedAt === null, r.removedBy, r.removalReason])).toEqual([
      ['1', true, null, null],
      ['2', false, SCREENING_DEDUP_MIGRATION, `duplicate, removed by migration (kept ${kept})`],
      ['3', false, SCREENING_DEDUP_MIGRATION, `duplicate, removed by migration (kept ${kept})`],
      ['4', true, null, null],
      ['5', true, null, null],
      [
        '6',
        false,
        SCREENING_DEDUP_MIGRATION,
        'duplicate, removed by migration (kept 00000000-0000-4000-8000-000000000005)',
      ],
    ]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.identityKey ?? ''))).toBe(true);
    // Only active entries are screened.
    const parties = await new ScreeningEntryRepository(dataSource).allParties();
    expect(parties.map((p) => p.id.slice(-1))).toEqual(['1', '4', '5']);
  });

  it('should make the identity unique among active entries in the database itself', async () => {
    const [kept] = await dataSource
      .getRepository(ScreeningEntryEntity)
      .findBy({ id: '00000000-0000-4000-8000-000000000001' });
    const copy = { ...kept, id: randomUUID(), name: 'ACME QUANTUM RESEARCH INSTITUTE' };
    await expect(dataSource.getRepository(ScreeningEntryEntity).insert(copy)).rejects.toThrow();
    // A removed copy is allowed: removal keeps the history.
    await dataSource
      .getRepository(ScreeningEntryEntity)
      .insert({ ...copy, removedAt: new Date().toISOString(), removedBy: 'admin@example.com', removalReason: 'x' });
  });

  it('should put the removals on the audit chain once, in the name of the migration', async () => {
    const repo = new ScreeningEntryRepository(dataSource);
    expect(await repo.recordMigrationRemovals()).toBe(3);
    expect(await repo.recordMigrationRemovals()).toBe(0);
    const rows = await dataSource
      .getRepository(AuditLogEntity)
      .find({ where: { event: 'screening.entry.removed' }, order: { seq: 'ASC' } });
    expect(rows.map((r) => [r.actor, JSON.parse(r.payload).id.slice(-1), JSON.parse(r.payload).reason])).toEqual([
      [SCREENING_DEDUP_MIGRATION, '2', 'duplicate, removed by migration (kept 00000000-0000-4000-8000-000000000001)'],
      [SCREENING_DEDUP_MIGRATION, '3', 'duplicate, removed by migration (kept 00000000-0000-4000-8000-000000000001)'],
      [SCREENING_DEDUP_MIGRATION, '6', 'duplicate, removed by migration (kept 00000000-0000-4000-8000-000000000005)'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('ACME');
    expect((await new AuditLogRepository(dataSource).verify()).ok).toBe(true);
  });
});
