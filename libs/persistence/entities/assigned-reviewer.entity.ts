import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A reviewer a compliance admin assigned to one party of one request, because conflicts of interest
 * (or an empty party) left nobody of that party to decide. Valid for that request and party only.
 */
@Entity({ name: 'assigned_reviewers' })
@Index('idx_assigned_reviewers_reviewer', ['reviewerEmail'])
export class AssignedReviewerEntity {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  party!: string;

  @PrimaryColumn({ name: 'reviewer_email', type: 'varchar', length: 254 })
  reviewerEmail!: string;

  @Column({ name: 'assigned_by', type: 'varchar', length: 254 })
  assignedBy!: string;

  @Column({ name: 'assigned_at', type: 'varchar', length: 30 })
  assignedAt!: string;
}
