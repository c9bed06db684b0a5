import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { AuditLogEntity, AuditLogRepository, HistoryArchiveEntity, HistoryArchiveRepository } from '@libs/persistence';
import { useMigratedDatabase } from '../support/migrated-database';
import { testDatabases } from '../support/databases';

/** An archived history's SHA-256 sits in the signed audit chain, not only in the row it protects. */
describe.each(testDatabases())('archived histories in the audit chain on $name', (database) => {
  let archives: HistoryArchiveRepository;

  const db = useMigratedDatabase(database);

  beforeAll(async () => {
    archives = new HistoryArchiveRepository(db.dataSource);
  });

  const exec = (sql: string, params: unknown[] = []) =>
    db.dataSource.query(db.config.type === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'), params);
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  async function archive(n: number) {
    const json = JSON.stringify({ events: [{ eventId: '1', n }] });
    return archives.save({ workflowId: `request-r${n}`, requestId: `r${n}`, json, eventCount: 1 });
  }

  /** What an insider does: swap the blob and recompute the hash in its own row. */
  async function forgeArchive(workflowId: string): Promise<void> {
    const forged = JSON.stringify({ events: [{ eventId: '1', forged: true }] });
    await exec('UPDATE history_archives SET compressed = $1, sha256 = $2 WHERE workflow_id = $3', [
      gzipSync(forged).toString('base64'),
      sha(forged),
      workflowId,
    ]);
  }

  it('should record the archive SHA-256 in the signed chain, in the same transaction, under the request', async () => {
    const saved = await archive(1);
    const [row] = await db.dataSource
      .getRepository(AuditLogEntity)
      .find({ where: { requestId: 'r1', event: 'history.archived' } });
    expect(row.seq).toBe(saved.chainSeq);
    expect(JSON.parse(row.payload)).toEqual({
      workflowId: 'request-r1',
      sha256: saved.sha256,
      eventCount: 1,
      archivedAt: saved.archivedAt,
    });
    expect(row.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(await archives.get('request-r1')).toMatchObject({ sha256: saved.sha256, chainSeq: row.seq });
    expect((await new AuditLogRepository(db.dataSource).verify()).ok).toBe(true);
  });

  it('should refuse an archive whose blob and own hash were both rewritten, naming the chain row', async () => {
    const saved = await archive(2);
    await forgeArchive('request-r2');
    await expect(archives.get('request-r2')).rejects.toThrow(
      `the archived history of request-r2 does not match the SHA-256 the audit chain recorded at archiving (row ${saved.chainSeq})`,
    );
    // replay-all reads every archive the same way
    await expect(archives.all()).rejects.toThrow(/request-r2 does not match the SHA-256 the audit chain recorded/);
    await exec('DELETE FROM history_archives WHERE workflow_id = $1', ['request-r2']);
  });

  it('should refuse an archive when its chain row was rewritten too, and verify-chain should name that row', async () => {
    const saved = await archive(3);
    await forgeArchive('request-r3');
    const row = await db.dataSource.getRepository(AuditLogEntity).findOneByOrFail({ seq: saved.chainSeq! });
    const payload = {
      ...(JSON.parse(row.payload) as object),
      sha256: sha('{"events":[{"eventId":"1","forged":true}]}'),
    };
    await exec('UPDATE audit_log SET payload = $1 WHERE seq = $2', [JSON.stringify(payload), row.seq]);
    await expect(archives.get('request-r3')).rejects.toThrow(
      `the audit chain row ${row.seq} that recorded the archive of request-r3 was altered`,
    );
    const result = await new AuditLogRepository(db.dataSource).verify();
    expect(result.problems.map((p) => [p.seq, p.kind])).toEqual([[row.seq, 'changed']]);
  });

  it('should still open an archive written before archives were chained, saying so', async () => {
    const json = '{"events":[]}';
    await db.dataSource.getRepository(HistoryArchiveEntity).insert({
      workflowId: 'request-old',
      requestId: 'old',
      compressed: gzipSync(json).toString('base64'),
      sha256: sha(json),
      eventCount: 0,
      archivedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(await archives.get('request-old')).toMatchObject({ json, chainSeq: null });
  });
});
