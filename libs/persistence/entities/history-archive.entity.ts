import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The full history of a closed request workflow, kept past the Temporal namespace's retention:
 * gzip of the standard JSON export (payloads stay as Temporal stored them, i.e. encrypted), with
 * the SHA-256 of the uncompressed JSON.
 */
@Entity({ name: 'history_archives' })
export class HistoryArchiveEntity {
  @PrimaryColumn({ name: 'workflow_id', type: 'varchar', length: 150 })
  workflowId!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  /** base64 of gzip(history JSON). */
  @Column({ type: 'text' })
  compressed!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'event_count', type: 'integer' })
  eventCount!: number;

  @Column({ name: 'archived_at', type: 'varchar', length: 30 })
  archivedAt!: string;
}
