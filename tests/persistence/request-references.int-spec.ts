import type { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import { openDataSource, RequestEntity, RequestProjectionWriter, RequestRepository } from '@libs/persistence';
import { RequestReferences1763900007600 } from '@libs/persistence/migrations/1763900007600-request-references';
import { testDatabases } from '../support/databases';
import { submissionAt } from '../support/submissions';
import { testEnv } from '../support/system';
import { childResult, childSays, spawnTsChild } from '../support/ts-child';

/** The human reference: sequential per year of submission, given once, unique across processes. */
describe.each(testDatabases())('request references on $name', (database) => {
  let env: Record<string, string>;
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let projection: RequestProjectionWriter;
  let requests: RequestRepository;

  beforeAll(async () => {
    const db = await database.create();
    env = db.env;
    drop = db.drop;
    dataSource = await openDataSource(loadConfig(testEnv(env)).database, { migrate: true });
    projection = new RequestProjectionWriter(dataSource);
    requests = new RequestRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  const submission = submissionAt;

  const referenceOf = async (id: string) => (await requests.findById(id))!.request.reference;

  it('should number the requests of each year of submission in order, from 1', async () => {
    const a = submission('2031-03-01T10:00:00.000Z');
    const b = submission('2031-12-31T23:59:59.000Z');
    const c = submission('2032-01-01T00:00:00.000Z');
    const d = submission('2031-06-01T10:00:00.000Z');
    for (const s of [a, b, c, d]) await projection.recordSubmission(s, new Date().toISOString());

    expect(await referenceOf(a.workflow.requestId)).toBe('CLR-2031-000001');
    expect(await referenceOf(b.workflow.requestId)).toBe('CLR-2031-000002');
    expect(await referenceOf(c.workflow.requestId)).toBe('CLR-2032-000001');
    expect(await referenceOf(d.workflow.requestId)).toBe('CLR-2031-000003');
  });

  it('should keep the first reference when the submission is recorded again (a retried activity)', async () => {
    const s = submission('2033-05-05T10:00:00.000Z');
    await projection.recordSubmission(s, new Date().toISOString());
    const first = await referenceOf(s.workflow.requestId);
    await projection.recordSubmission(s, new Date().toISOString());
    await Promise.allSettled([
      projection.recordSubmission(s, new Date().toISOString()),
      projection.recordSubmission(s, new Date().toISOString()),
    ]);
    expect(await referenceOf(s.workflow.requestId)).toBe(first);

    const next = submission('2033-05-06T10:00:00.000Z');
    await projection.recordSubmission(next, new Date().toISOString());
    expect(first).toBe('CLR-2033-000001');
    expect(await referenceOf(next.workflow.requestId)).toBe('CLR-2033-000002');
  });

  it('should give distinct, consecutive references to submissions written at once by two processes', async () => {
    // a second process stands for a second worker (better-sqlite3 waits for a lock synchronously:
    // two writers on SQLite must not share one thread)
    const child = spawnTsChild(
      `
      const { openDataSource, RequestProjectionWriter } = require(ROOT + '/libs/persistence');
      const { submissionAt } = require(ROOT + '/tests/support/submissions');
      (async () => {
        const dataSource = await openDataSource(JSON.parse(process.env.REF_DATABASE), { migrate: false });
        const writer = new RequestProjectionWriter(dataSource);
        console.log('ready');
        const ids = [];
        for (let i = 0; i < 15; i += 1) {
          const s = submissionAt('2034-02-02T09:00:00.000Z');
          await writer.recordSubmission(s, new Date().toISOString());
          ids.push(s.workflow.requestId);
        }
        console.log(JSON.stringify(ids));
        await dataSource.destroy();
      })().catch((e) => { console.error(e); process.exit(1); });
      `,
      { REF_DATABASE: JSON.stringify(loadConfig(testEnv(env)).database) },
    );
    const result = childResult(child);
    await childSays(child, 'ready');
    const mine = Array.from({ length: 15 }, () => submission('2034-02-02T09:00:00.000Z'));
    for (const s of mine) await projection.recordSubmission(s, new Date().toISOString());
    const theirs = JSON.parse((await result).trim().split('\n').pop()!) as string[];

    const ids = [...mine.map((s) => s.workflow.requestId), ...theirs];
    const references = await Promise.all(ids.map(referenceOf));
    expect(new Set(references).size).toBe(30);
    expect([...references].sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `CLR-2034-${String(i + 1).padStart(6, '0')}`),
    );
  });

  it('should find a request by its reference in the search', async () => {
    const s = submission('2035-01-10T10:00:00.000Z');
    await projection.recordSubmission(s, new Date().toISOString());
    const found = await requests.list({ limit: 10, search: { q: 'clr-2035-000001' } });
    expect(found.map((r) => r.request.id)).toEqual([s.workflow.requestId]);
  });

  it('should number the requests stored before references existed in the order they were created, and go on after them', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      const migration = new RequestReferences1763900007600();
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const rows = await dataSource.getRepository(RequestEntity).find({ order: { createdAt: 'ASC', id: 'ASC' } });
    const expected = new Map<string, number>();
    for (const row of rows) {
      const year = row.createdAt.slice(0, 4);
      const n = (expected.get(year) ?? 0) + 1;
      expected.set(year, n);
      expect(row.reference).toBe(`CLR-${year}-${String(n).padStart(6, '0')}`);
    }
    expect(expected.get('2031')).toBe(3);
    const later = submission('2031-12-31T23:59:59.500Z');
    await projection.recordSubmission(later, new Date().toISOString());
    expect(await referenceOf(later.workflow.requestId)).toBe('CLR-2031-000004');
  });
});
