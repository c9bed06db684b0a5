import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An approver's delegation while away: one per delegator, replaced by the next. Dates inclusive. */
@Entity({ name: 'delegations' })
@Index('idx_delegations_delegate', ['delegateEmail'])
export class DelegationEntity {
  @PrimaryColumn({ name: 'delegator_email', type: 'varchar', length: 254 })
  delegatorEmail!: string;

  @Column({ name: 'delegate_email', type: 'varchar', length: 254 })
  delegateEmail!: string;

  @Column({ name: 'starts_on', type: 'varchar', length: 10 })
  startsOn!: string;

  @Column({ name: 'ends_on', type: 'varchar', length: 10 })
  endsOn!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;
}
