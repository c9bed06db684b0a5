import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { HistoryArchiveEntity } from './entities';

export interface ArchivedHistory {
  workflowId: string;
  requestId: string;
  json: string;
  sha256: string;
  eventCount: number;
  archivedAt: string;
}

/** Closed histories, compressed, with their SHA-256 (checked again on every read). */
export class HistoryArchiveRepository {
  constructor(private readonly dataSource: DataSource) {}

  async save(args: {
    workflowId: string;
    requestId: string;
    json: string;
    eventCount: number;
  }): Promise<ArchivedHistory> {
    const sha256 = createHash('sha256').update(args.json).digest('hex');
    const archivedAt = new Date().toISOString();
    await this.dataSource.getRepository(HistoryArchiveEntity).save({
      workflowId: args.workflowId,
      requestId: args.requestId,
      compressed: gzipSync(args.json).toString('base64'),
      sha256,
      eventCount: args.eventCount,
      archivedAt,
    });
    return { ...args, sha256, archivedAt };
  }

  async get(workflowId: string): Promise<ArchivedHistory | null> {
    const row = await this.dataSource.getRepository(HistoryArchiveEntity).findOneBy({ workflowId });
    return row ? this.open(row) : null;
  }

  async all(): Promise<ArchivedHistory[]> {
    const rows = await this.dataSource.getRepository(HistoryArchiveEntity).find({ order: { archivedAt: 'ASC' } });
    return rows.map((row) => this.open(row));
  }

  private open(row: HistoryArchiveEntity): ArchivedHistory {
    const json = gunzipSync(Buffer.from(row.compressed, 'base64')).toString('utf8');
    const sha256 = createHash('sha256').update(json).digest('hex');
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
    };
  }
}
