import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One email the worker sent (or is sending); its key makes a retried send a no-op. */
@Entity({ name: 'sent_emails' })
@Index('idx_sent_emails_request', ['requestId'])
export class SentEmailEntity {
  /** Derived from workflow, step and recipient, e.g. `approval:<request>:<party>:<round>:<email>`. */
  @PrimaryColumn({ type: 'varchar', length: 400 })
  key!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @Column({ type: 'varchar', length: 30 })
  kind!: string;

  @Column({ type: 'varchar', length: 254 })
  recipient!: string;

  @Column({ type: 'varchar', length: 300 })
  subject!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 300 })
  messageId!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: 'sending' | 'sent';

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'sent_at', type: 'varchar', length: 30, nullable: true })
  sentAt!: string | null;
}
