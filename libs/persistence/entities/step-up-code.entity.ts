import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A one-time code that confirms a custody decision taken from an email link. Only hashes are kept. */
@Entity({ name: 'step_up_codes' })
export class StepUpCodeEntity {
  /** SHA-256 of the approval-link token the code belongs to. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** SHA-256 of token and code; '' once used (or before the first code). */
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  /** SHA-256 of the decision the code confirms (decision, comment, conditions). */
  @Column({ name: 'decision_hash', type: 'varchar', length: 64, default: '' })
  decisionHash!: string;

  @Column({ name: 'expires_at', type: 'varchar', length: 30 })
  expiresAt!: string;

  /** Wrong codes entered against the current code. */
  @Column({ type: 'integer' })
  attempts!: number;

  /** Wrong codes entered against every code of this link: the link's budget. */
  @Column({ name: 'wrong_total', type: 'integer', default: 0 })
  wrongTotal!: number;

  /** Codes issued since `windowStartedAt`: at most a few per hour. */
  @Column({ name: 'issued_in_window', type: 'integer', default: 0 })
  issuedInWindow!: number;

  @Column({ name: 'window_started_at', type: 'varchar', length: 30, default: '' })
  windowStartedAt!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;
}
