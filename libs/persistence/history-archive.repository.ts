import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { appendAudit, AuditLogRepository, writeTransaction } from './audit-log.repository';
import { HistoryArchiveEntity } from './entities';

export interface ArchivedHistory {
  workflowId: string;
  requestId: string;
  json: string;
  sha256: string;
  eventCount: number;
  archivedAt: string;
  /** The audit chain row that recorded this SHA-256 at archiving; null for archives from before archives were chained. */
  chainSeq: number | null;
}

/**
 * Closed histories, compressed, with their SHA-256. Archiving also writes the SHA-256 into the
 * audit chain (same transaction), and every read checks the history against both: the hash in its
 * own row and the one the chain recorded, which a database writer cannot re-sign.
 */
export class HistoryArchiveRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  async save(args: {
    workflowId: string;
    requestId: string;
    json: string;
    eventCount: number;
  }): Promise<ArchivedHistory> {
    const sha256 = createHash('sha256').update(args.json).digest('hex');
    const archivedAt = new Date().toISOString();
    const [row] = await writeTransaction(this.dataSource, async (manager) => {
      await manager.getRepository(HistoryArchiveEntity).save({
        workflowId: args.workflowId,
        requestId: args.requestId,
        compressed: gzipSync(args.json).toString('base64'),
        sha256,
        eventCount: args.eventCount,
        archivedAt,
      });
      return appendAudit(manager, [
        {
          requestId: args.requestId,
          event: 'history.archived',
          payload: { workflowId: args.workflowId, sha256, eventCount: args.eventCount, archivedAt },
        },
      ]);
    });
    return { ...args, sha256, archivedAt, chainSeq: row.seq };
  }

  async get(workflowId: string): Promise<ArchivedHistory | null> {
    const row = await this.dataSource.getRepository(HistoryArchiveEntity).findOneBy({ workflowId });
    return row ? this.open(row) : null;
  }

  async all(): Promise<ArchivedHistory[]> {
    const rows = await this.dataSource.getRepository(HistoryArchiveEntity).find({ order: { archivedAt: 'ASC' } });
    const opened: ArchivedHistory[] = [];
    for (const row of rows) opened.push(await this.open(row));
    return opened;
  }

  async count(): Promise<number> {
    return this.dataSource.getRepository(HistoryArchiveEntity).count();
  }

  /**
   * Every archive, oldest first, read a page at a time (keyset on archived_at, workflow_id) so a
   * replay of thousands holds one page in memory; each is checked as `get` checks it.
   */
  async *each(pageSize = 50): AsyncGenerator<ArchivedHistory> {
    let after: { archivedAt: string; workflowId: string } | null = null;
    for (;;) {
      const qb = this.dataSource.getRepository(HistoryArchiveEntity).createQueryBuilder('h');
      if (after) {
        qb.where('(h.archived_at > :at OR (h.archived_at = :at AND h.workflow_id > :id))', {
          at: after.archivedAt,
          id: after.workflowId,
        });
      }
      const rows = await qb
        .orderBy('h.archived_at', 'ASC')
        .addOrderBy('h.workflow_id', 'ASC')
        .limit(pageSize)
        .getMany();
      for (const row of rows) yield await this.open(row);
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { archivedAt: last.archivedAt, workflowId: last.workflowId };
    }
  }

  private async open(row: HistoryArchiveEntity): Promise<ArchivedHistory> {
    const json = gunzipSync(Buffer.from(row.compressed, 'base64')).toString('utf8');
    const sha256 = createHash('sha256').update(json).digest('hex');
    const recorded = await this.audit.archiveRecord(row.requestId, row.workflowId);
    if (recorded && !recorded.intact) {
      throw new Error(
        `the audit chain row ${recorded.seq} that recorded the archive of ${row.workflowId} was altered ` +
          `(npm run audit -- verify-chain names how): the archive cannot be trusted`,
      );
    }
    if (recorded && recorded.sha256 !== sha256) {
      throw new Error(
        `the archived history of ${row.workflowId} does not match the SHA-256 the audit chain recorded ` +
          `at archiving (row ${recorded.seq}): it was altered`,
      );
    }
    if (sha256 !== row.sha256) {
      throw new Error(`the archived history of ${row.workflowId} does not match its SHA-256: it was altered`);
    }
    return {
      workflowId: row.workflowId,
      requestId: row.requestId,
      json,
      sha256,
      eventCount: row.eventCount,
      archivedAt: row.archivedAt,
      chainSeq: recorded?.seq ?? null,
    };
  }
}
