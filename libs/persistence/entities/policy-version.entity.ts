import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PolicyDocument } from '../../domain/policy';

/** One published version of the routing policy. Versions are never changed, only added. */
@Entity({ name: 'policy_versions' })
export class PolicyVersionEntity {
  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'simple-json' })
  document!: PolicyDocument;

  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  /** Why it was published, as the admin gave it (null when no reason was given). */
  @Column({ name: 'change_reason', type: 'text', nullable: true })
  changeReason!: string | null;
}
