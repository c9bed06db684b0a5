import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Vote } from '../../domain/approval-state';

/** One party's approval of one request, as the workflow last projected it. */
@Entity({ name: 'approvals' })
@Index('idx_approvals_party_status', ['party', 'status'])
@Index('idx_approvals_inbox', ['status', 'party', 'requestId'])
@Index('idx_approvals_inbox_due', ['status', 'party', 'dueAt', 'requestId'])
export class ApprovalEntity {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  party!: string;

  @Column({ name: 'stage_index', type: 'integer' })
  stageIndex!: number;

  @Column({ name: 'stage_status', type: 'varchar', length: 20 })
  stageStatus!: string;

  @Column({ type: 'varchar', length: 30 })
  status!: string;

  @Column({ type: 'simple-json' })
  reasons!: string[];

  @Column({ type: 'integer', default: 1 })
  quorum!: number;

  /** Approvals counted towards the quorum so far: [{by, onBehalfOf, at, comment, conditions}]. */
  @Column({ name: 'approved_by', type: 'simple-json' })
  approvedBy!: Vote[];

  @Column({ name: 'decided_by', type: 'varchar', length: 254, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'on_behalf_of', type: 'varchar', length: 254, nullable: true })
  onBehalfOf!: string | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ type: 'simple-json' })
  conditions!: string[];

  @Column({ name: 'decided_at', type: 'varchar', length: 30, nullable: true })
  decidedAt!: string | null;

  /** When the party was (last) asked: its approval first seen pending in an active stage; null while its stage waits. */
  @Column({ name: 'asked_at', type: 'varchar', length: 30, nullable: true })
  askedAt!: string | null;

  /**
   * When the asked party's approval first falls due (its reminder, or its escalation if that comes
   * first): `dueDates` of libs/domain/due-dates.ts from `askedAt` and the pinned plan. Null while it is
   * not awaited (its stage waits, or it has decided). The inbox's "due soonest first" pages on it.
   */
  @Column({ name: 'due_at', type: 'varchar', length: 30, nullable: true })
  dueAt!: string | null;
}
