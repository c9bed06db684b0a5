import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A one-time code that confirms a custody decision taken from an email link. Only hashes are kept. */
@Entity({ name: 'step_up_codes' })
export class StepUpCodeEntity {
  /** SHA-256 of the approval-link token the code belongs to. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @Column({ name: 'expires_at', type: 'varchar', length: 30 })
  expiresAt!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;
}
