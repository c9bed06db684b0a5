import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Append-only log of accepted decisions (the approvals table holds only the latest per party). */
@Entity({ name: 'decisions' })
@Index('idx_decisions_request', ['requestId'])
export class DecisionEntity {
  /** `${requestId}:${seq}`: the workflow state the decision produced, so a retried write is a no-op. */
  @PrimaryColumn({ type: 'varchar', length: 60 })
  id!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @Column({ type: 'varchar', length: 40 })
  party!: string;

  @Column({ type: 'varchar', length: 20 })
  decision!: string;

  @Column({ name: 'decided_by', type: 'varchar', length: 254 })
  decidedBy!: string;

  @Column({ name: 'on_behalf_of', type: 'varchar', length: 254, nullable: true })
  onBehalfOf!: string | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ type: 'simple-json' })
  conditions!: string[];

  @Column({ type: 'integer' })
  round!: number;

  /** `api`, `email`, `email-otp`, `email-session` or `bulk` (see DecideInput). */
  @Column({ type: 'varchar', length: 20 })
  via!: string;

  @Column({ name: 'decided_at', type: 'varchar', length: 30 })
  decidedAt!: string;
}
