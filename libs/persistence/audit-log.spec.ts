import { createHash } from 'node:crypto';
import { loadConfig } from '../config';
import { useMigratedDatabase } from '../../tests/support/migrated-database';
import { testDatabases } from '../../tests/support/databases';
import { childResult, childSays, spawnTsChild } from '../../tests/support/ts-child';
import { verifyChainCommand } from './audit-chain-command';
import { AuditLogRepository, auditRowHash, GENESIS_HASH, type AuditEntry } from './audit-log.repository';
import { canonicalJson } from './canonical-json';
import { AuditLogEntity } from './entities';

describe('canonicalJson', () => {
  it('should sort keys at every depth and leave out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('should write strings, unicode, dates and arrays as JSON does', () => {
    expect(canonicalJson({ s: 'é "q"\n', d: new Date('2026-01-02T03:04:05.000Z'), l: [undefined, 1] })).toBe(
      '{"d":"2026-01-02T03:04:05.000Z","l":[null,1],"s":"é \\"q\\"\\n"}',
    );
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson([])).toBe('[]');
  });

  it('should refuse values plain JSON would silently change', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ n: Infinity })).toThrow(/Infinity/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => canonicalJson(circular)).toThrow(/circular/);
  });
});

describe('auditRowHash', () => {
  it('should be sha256 of the previous hash, the seq and the canonical content', () => {
    const content = { requestId: 'r1', event: 'request.state', actor: null, payload: { b: 1, a: 2 }, recordedAt: 't' };
    const expected = createHash('sha256')
      .update(
        `${GENESIS_HASH}\n1\n{"actor":null,"event":"request.state","payload":{"a":2,"b":1},"recordedAt":"t","requestId":"r1"}`,
      )
      .digest('hex');
    expect(auditRowHash(GENESIS_HASH, 1, content)).toBe(expected);
    expect(auditRowHash(GENESIS_HASH, 2, content)).not.toBe(expected);
  });
});

describe.each(testDatabases())('audit log on $name', (database) => {
  let log: AuditLogRepository;

  const db = useMigratedDatabase(database);

  beforeAll(async () => {
    log = new AuditLogRepository(db.dataSource);
  });

  const entry = (i: number, requestId = `req-${i % 3}`): AuditEntry => ({
    requestId,
    event: 'request.state',
    actor: `user${i}@example.com`,
    payload: { i, status: i % 2 ? 'pending' : 'approved', nested: { z: 1, a: [i] } },
  });

  /** A fresh log of `n` rows for each tamper case. */
  async function freshLog(n: number): Promise<AuditLogEntity[]> {
    await db.dataSource.getRepository(AuditLogEntity).clear();
    const rows: AuditLogEntity[] = [];
    for (let i = 1; i <= n; i += 1) rows.push(...(await log.append([entry(i)])));
    return rows;
  }
  const exec = (sql: string, params: unknown[] = []) =>
    db.dataSource.query(db.config.type === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'), params);
  async function swapSeq(a: number, b: number): Promise<void> {
    await exec('UPDATE audit_log SET seq = -1 WHERE seq = $1', [a]);
    await exec('UPDATE audit_log SET seq = $1 WHERE seq = $2', [a, b]);
    await exec('UPDATE audit_log SET seq = $1 WHERE seq = -1', [b]);
  }

  it('should chain rows from the genesis hash with seq 1, 2, 3… and canonical payloads', async () => {
    const rows = await freshLog(3);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    expect(rows[1].prevHash).toBe(rows[0].hash);
    expect(rows[2].prevHash).toBe(rows[1].hash);
    const stored = await db.dataSource.getRepository(AuditLogEntity).findOneByOrFail({ seq: 2 });
    expect(stored.payload).toBe('{"i":2,"nested":{"a":[2],"z":1},"status":"approved"}');
    expect(stored.hash).toBe(
      auditRowHash(stored.prevHash, 2, { ...stored, payload: JSON.parse(stored.payload) as unknown }),
    );
    expect(await log.verify()).toEqual({
      ok: true,
      rows: 3,
      head: { seq: 3, hash: rows[2].hash, recordedAt: rows[2].recordedAt },
      problems: [],
      warnings: [],
    });
  });

  it('should append several entries in order and never date a row before the one it follows', async () => {
    await freshLog(1);
    const late = new AuditLogRepository(db.dataSource, { clock: () => new Date('2000-01-01T00:00:00.000Z') });
    const rows = await late.append([entry(2), entry(3)]);
    expect(rows.map((r) => r.seq)).toEqual([2, 3]);
    const [first] = await db.dataSource.getRepository(AuditLogEntity).findBy({ seq: 1 });
    expect(rows[0].recordedAt).toBe(first.recordedAt);
    expect((await log.verify()).ok).toBe(true);
  });

  it('should write inside the caller transaction and roll back with it', async () => {
    await freshLog(2);
    await expect(
      db.dataSource.transaction(async (manager) => {
        await log.append([entry(3)], manager);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await db.dataSource.getRepository(AuditLogEntity).count()).toBe(2);
    await db.dataSource.transaction((manager) => log.append([entry(3)], manager));
    expect((await log.verify()).rows).toBe(3);
  });

  it('should name a row whose payload was edited as changed', async () => {
    await freshLog(5);
    await exec('UPDATE audit_log SET payload = $1 WHERE seq = 3', ['{"i":3,"status":"rejected"}']);
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        seq: 3,
        kind: 'changed',
        message: expect.stringMatching(/^row 3 \(request\.state of request req-0, recorded .*\) was changed after/),
      },
    ]);
  });

  it('should name deleted rows, in the middle and at the start', async () => {
    await freshLog(6);
    await exec('DELETE FROM audit_log WHERE seq IN (3, 4)');
    let result = await log.verify();
    expect(result.problems).toEqual([
      { seq: 3, kind: 'deleted', message: 'rows 3 to 4 are missing: deleted between row 2 and row 5' },
    ]);
    await exec('DELETE FROM audit_log WHERE seq = 1');
    result = await log.verify();
    expect(result.problems.map((p) => [p.seq, p.kind])).toEqual([
      [1, 'deleted'],
      [3, 'deleted'],
    ]);
    expect(result.problems[0].message).toBe('row 1 is missing: deleted between the start of the log and row 2');
  });

  it('should name two rows whose seq values were swapped as reordered, with where each was written', async () => {
    await freshLog(6);
    await swapSeq(2, 5);
    const result = await log.verify();
    expect(result.ok).toBe(false);
    const bySeq = new Map(result.problems.map((p) => [p.seq, p]));
    expect(bySeq.get(2)).toMatchObject({ kind: 'reordered', message: expect.stringContaining('written as row 5') });
    expect(bySeq.get(5)).toMatchObject({ kind: 'reordered', message: expect.stringContaining('written as row 2') });
    expect(result.problems.every((p) => p.kind === 'reordered')).toBe(true);
  });

  it('should name neighbours that were swapped as reordered', async () => {
    await freshLog(5);
    await swapSeq(3, 4);
    const result = await log.verify();
    const bySeq = new Map(result.problems.map((p) => [p.seq, p]));
    expect(bySeq.get(3)).toMatchObject({ kind: 'reordered', message: expect.stringContaining('written as row 4') });
    expect(bySeq.get(4)).toMatchObject({ kind: 'reordered', message: expect.stringContaining('written as row 3') });
  });

  it('should name a row edited and re-hashed without the key as forged, and the next row as a broken link', async () => {
    const rows = await freshLog(4);
    const forged = { ...rows[1], payload: { i: 2, status: 'rejected' } };
    const hash = auditRowHash(forged.prevHash, 2, forged);
    await exec('UPDATE audit_log SET payload = $1, hash = $2 WHERE seq = 2', [canonicalJson(forged.payload), hash]);
    const result = await log.verify();
    expect(result.problems).toEqual([
      {
        seq: 2,
        kind: 'forged',
        message: expect.stringContaining('is not signed by the audit chain key "dev-audit-1"'),
      },
      {
        seq: 3,
        kind: 'broken_link',
        message: expect.stringContaining('does not link to row 2: row 2 was rewritten and re-hashed'),
      },
    ]);
  });

  it('should catch a deleted tail only against an exported head', async () => {
    const rows = await freshLog(4);
    const exported = { seq: 4, hash: rows[3].hash };
    expect((await log.verify({ expectedHead: exported })).ok).toBe(true);
    await exec('DELETE FROM audit_log WHERE seq = 4');
    expect((await log.verify()).ok).toBe(true);
    const result = await log.verify({ expectedHead: exported });
    expect(result.problems).toEqual([{ seq: 4, kind: 'deleted', message: expect.stringContaining('rows 4 to 4') }]);
  });

  it('should flag a row dated before its predecessor and page through long chains', async () => {
    await freshLog(7);
    const result0 = await log.verify({ batchSize: 2 });
    expect(result0).toMatchObject({ ok: true, rows: 7 });
    await exec("UPDATE audit_log SET recorded_at = '1999-01-01T00:00:00.000Z' WHERE seq = 6");
    const result = await log.verify({ batchSize: 2 });
    expect(result.problems.map((p) => [p.seq, p.kind])).toEqual([[6, 'changed']]);
  });

  it('should give the proof rows of one request with the chain head', async () => {
    await freshLog(6);
    const proof = await log.proofFor('req-1');
    expect(proof.rows.map((r) => r.seq)).toEqual([1, 4]);
    expect(proof.rows[0].payload).toEqual({ i: 1, status: 'pending', nested: { z: 1, a: [1] } });
    expect(proof.head?.seq).toBe(6);
    expect((await log.proofFor('')).rows).toEqual([]);
  });

  it('should report through the command with exit codes 0 and 1', async () => {
    await freshLog(3);
    const config = { ...loadConfig({ NODE_ENV: 'test' }), database: db.config };
    const lines: string[] = [];
    expect(await verifyChainCommand(config, { write: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toBe('audit chain OK: 3 row(s) verified');
    await exec('UPDATE audit_log SET actor = $1 WHERE seq = 2', ['mallory@example.com']);
    lines.length = 0;
    expect(await verifyChainCommand(config, { write: (l) => lines.push(l) })).toBe(1);
    expect(lines[0]).toBe('audit chain BROKEN: 1 problem(s) in 3 row(s)');
    expect(lines[1]).toMatch(/^ {2}seq 2 \[changed\] row 2 \(request\.state of request req-2/);
  });

  it('should keep one valid chain when two processes append at once', async () => {
    await db.dataSource.getRepository(AuditLogEntity).clear();
    const child = spawnTsChild(
      `
      const { openDataSource, AuditLogRepository } = require(ROOT + '/libs/persistence');
      (async () => {
        const ds = await openDataSource(JSON.parse(process.env.AUDIT_DB), { migrate: false });
        const log = new AuditLogRepository(ds);
        process.stdout.write('ready\\n');
        await new Promise((resolve) => process.stdin.once('data', resolve));
        await Promise.all(Array.from({ length: 10 }, (_, i) =>
          log.append([{ requestId: 'child', event: 'request.state', payload: { i } }])));
        await ds.destroy();
      })().then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
      `,
      { AUDIT_DB: JSON.stringify(db.config) },
    );
    const done = childResult(child);
    await childSays(child, 'ready');
    child.stdin.write('go\n');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        log.append([{ requestId: 'parent', event: 'request.state', payload: { i } }]),
      ),
    );
    await done;
    const rows = await db.dataSource.getRepository(AuditLogEntity).find({ order: { seq: 'ASC' } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows.filter((r) => r.requestId === 'child')).toHaveLength(10);
    expect(await log.verify()).toMatchObject({ ok: true, rows: 20, problems: [] });
  }, 60_000);
});
