import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig, type EncryptionConfig } from '@libs/config';
import { ChainMac } from '@libs/crypto';
import {
  AuditLogEntity,
  AuditLogRepository,
  auditRowHash,
  canonicalJson,
  dataSourceOptions,
  openDataSource,
  verifyChainCommand,
  type AuditEntry,
} from '@libs/persistence';
import { MIGRATIONS } from '@libs/persistence/migrations';
import { useMigratedDatabase } from '../support/migrated-database';
import { testDatabases, type DatabaseConfig } from '../support/databases';

const keyOf = (id: string) => ({ id, key: randomBytes(32) });
const keys = (...list: Array<{ id: string; key: Buffer }>): EncryptionConfig => ({
  keys: list,
  activeKeyId: list[0].id,
  devKey: false,
});
const asEnv = (config: EncryptionConfig) => config.keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

/** The audit chain is keyed: a database writer who rewrites rows and recomputes every hash is still named. */
describe.each(testDatabases())('keyed audit chain on $name', (database) => {
  const k1 = keyOf('audit-k1');
  const k2 = keyOf('audit-k2');

  const db = useMigratedDatabase(database, { auditChain: keys(k1) });

  const entry = (i: number): AuditEntry => ({
    requestId: `req-${i}`,
    event: 'request.state',
    actor: `user${i}@example.com`,
    payload: { i, status: 'pending' },
  });
  const exec = (sql: string, params: unknown[] = []) =>
    db.dataSource.query(db.config.type === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'), params);
  const rows = () => db.dataSource.getRepository(AuditLogEntity).find({ order: { seq: 'ASC' } });

  async function freshLog(n: number, log = new AuditLogRepository(db.dataSource)): Promise<void> {
    await db.dataSource.getRepository(AuditLogEntity).clear();
    for (let i = 1; i <= n; i += 1) await log.append([entry(i)]);
  }

  /** What an insider with write access (and no key) does: edit row `from`, then re-hash it and every row after. */
  async function rehashFrom(from: number, options: { dropMacs?: boolean } = {}): Promise<void> {
    const all = await rows();
    let prevHash = all[from - 2]?.hash ?? '0'.repeat(64);
    for (const row of all.slice(from - 1)) {
      const payload = JSON.parse(row.payload) as Record<string, unknown>;
      if (row.seq === from) payload.status = 'approved';
      const hash = auditRowHash(prevHash, row.seq, { ...row, payload });
      await exec(
        options.dropMacs
          ? 'UPDATE audit_log SET payload = $1, prev_hash = $2, hash = $3, mac = NULL, mac_key_id = NULL WHERE seq = $4'
          : 'UPDATE audit_log SET payload = $1, prev_hash = $2, hash = $3 WHERE seq = $4',
        [canonicalJson(payload), prevHash, hash, row.seq],
      );
      prevHash = hash;
    }
  }

  it('should sign every row with the active key and name its id', async () => {
    await freshLog(3);
    const stored = await rows();
    const mac = new ChainMac(keys(k1));
    for (const row of stored) {
      expect(row.macKeyId).toBe('audit-k1');
      expect(mac.check(row.hash, row.macKeyId!, row.mac!)).toBe('valid');
    }
    expect(await new AuditLogRepository(db.dataSource).verify()).toMatchObject({
      ok: true,
      problems: [],
      warnings: [],
    });
  });

  it('should name the first row of a tail that was rewritten and consistently re-hashed in the database', async () => {
    await freshLog(6);
    await rehashFrom(4);
    const result = await new AuditLogRepository(db.dataSource).verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        seq: 4,
        kind: 'forged',
        message: expect.stringMatching(
          /^row 4 \(request\.state of request req-4, .*\) is not signed by the audit chain key "audit-k1".*3 row\(s\) from here on/,
        ),
      },
    ]);
  });

  it('should name a re-hashed tail whose MACs were removed as unkeyed', async () => {
    await freshLog(5);
    await rehashFrom(3, { dropMacs: true });
    const result = await new AuditLogRepository(db.dataSource).verify();
    expect(result.problems.map((p) => [p.seq, p.kind])).toEqual([[3, 'unkeyed']]);
  });

  it('should report through the CLI command with exit code 1', async () => {
    await freshLog(4);
    await rehashFrom(2);
    const config = { ...loadConfig({ NODE_ENV: 'test', AUDIT_CHAIN_KEYS: asEnv(keys(k1)) }), database: db.config };
    const lines: string[] = [];
    expect(await verifyChainCommand(config, { write: (l) => lines.push(l) })).toBe(1);
    expect(lines[0]).toBe('audit chain BROKEN: 1 problem(s) in 4 row(s)');
    expect(lines[1]).toMatch(/^ {2}seq 2 \[forged\] row 2 /);
    // the public dev key does not verify rows signed by a real key
    lines.length = 0;
    const dev = { ...loadConfig({ NODE_ENV: 'test' }), database: db.config };
    expect(await verifyChainCommand(dev, { write: (l) => lines.push(l) })).toBe(1);
    expect(lines[1]).toMatch(
      /\[unknown_key\] row 1 .*"audit-k1", which is not in AUDIT_CHAIN_KEYS here \(configured: dev-audit-1\)/,
    );
  });

  it('should keep verifying rows of a retired key after a rotation, and name rows whose key is gone', async () => {
    await freshLog(2);
    await new AuditLogRepository(db.dataSource, { chainMac: new ChainMac(keys(k2, k1)) }).append([entry(3)]);
    const stored = await rows();
    expect(stored.map((r) => r.macKeyId)).toEqual(['audit-k1', 'audit-k1', 'audit-k2']);
    const both = await new AuditLogRepository(db.dataSource, { chainMac: new ChainMac(keys(k2, k1)) }).verify();
    expect(both).toMatchObject({ ok: true, problems: [] });
    const onlyNew = await new AuditLogRepository(db.dataSource, { chainMac: new ChainMac(keys(k2)) }).verify();
    expect(onlyNew.problems).toEqual([
      { seq: 1, kind: 'unknown_key', message: expect.stringContaining('(2 row(s) from here on fail the same way)') },
    ]);
  });

  it('should migrate a log written before the chain was keyed and warn about its unkeyed rows, never fail on them', async () => {
    const legacy = await database.create();
    const legacyConfig: DatabaseConfig = legacy.env.DATABASE_URL
      ? { type: 'postgres', url: legacy.env.DATABASE_URL }
      : { type: 'sqlite', path: legacy.env.SQLITE_PATH };
    const before = new DataSource({ ...dataSourceOptions(legacyConfig), migrations: MIGRATIONS.slice(0, -1) });
    await before.initialize();
    try {
      await before.runMigrations({ transaction: 'each' });
      let prevHash = '0'.repeat(64);
      for (let seq = 1; seq <= 3; seq += 1) {
        const content = {
          requestId: `req-${seq}`,
          event: 'request.state',
          actor: null,
          payload: { seq },
          recordedAt: `2025-01-0${seq}T00:00:00.000Z`,
        };
        const hash = auditRowHash(prevHash, seq, content);
        const sql =
          'INSERT INTO audit_log (seq, request_id, event, actor, payload, recorded_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
        await before.query(legacyConfig.type === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'), [
          seq,
          content.requestId,
          content.event,
          null,
          canonicalJson(content.payload),
          content.recordedAt,
          prevHash,
          hash,
        ]);
        prevHash = hash;
      }
    } finally {
      await before.destroy();
    }
    const after = await openDataSource(legacyConfig, { migrate: true, auditChain: keys(k1) });
    try {
      const log = new AuditLogRepository(after);
      let result = await log.verify();
      expect(result).toMatchObject({ ok: true, rows: 3, problems: [] });
      expect(result.warnings).toEqual([
        expect.stringMatching(
          /^unkeyed rows before 4: rows 1 to 3 were written before the chain was keyed.*no row is signed yet/,
        ),
      ]);
      await log.append([entry(4)]);
      result = await log.verify();
      expect(result).toMatchObject({ ok: true, rows: 4, problems: [] });
      expect(result.warnings).toEqual([expect.stringContaining('the signed row 4 fixes them')]);
    } finally {
      await after.destroy();
      await legacy.drop();
    }
  });
});
