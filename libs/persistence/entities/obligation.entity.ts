import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Something an approved request must still do (training, a condition, a debrief, the passport back). */
@Entity({ name: 'obligations' })
@Index('idx_obligations_status', ['status'])
export class ObligationEntity {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  /** `training`, `debrief`, `passport_return`, or `condition:<n>` for the n-th approver condition. */
  @PrimaryColumn({ type: 'varchar', length: 60 })
  kind!: string;

  @Column({ type: 'varchar', length: 500 })
  label!: string;

  /** open | overdue | fulfilled */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'due_at', type: 'varchar', length: 30, nullable: true })
  dueAt!: string | null;

  @Column({ name: 'fulfilled_by', type: 'varchar', length: 254, nullable: true })
  fulfilledBy!: string | null;

  @Column({ name: 'fulfilled_at', type: 'varchar', length: 30, nullable: true })
  fulfilledAt!: string | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;
}
