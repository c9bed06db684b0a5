import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row of the append-only, hash-chained audit log. `seq` is assigned by the writer (1, 2, 3…),
 * never by the database, so a gap shows a deleted row on every engine. `hash` covers the previous
 * row's hash, the seq and the canonical JSON of the other columns (see audit-log.repository.ts);
 * `mac` signs that hash with a key kept outside the database (AUDIT_CHAIN_KEYS), named by `macKeyId`.
 */
@Entity({ name: 'audit_log' })
@Index('idx_audit_log_request', ['requestId'])
export class AuditLogEntity {
  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 36, nullable: true })
  requestId!: string | null;

  /** `request.submitted`, `request.state`, `decision.recorded`, `passport.released`, … */
  @Column({ type: 'varchar', length: 60 })
  event!: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  actor!: string | null;

  /** Canonical JSON (sorted keys, no whitespace). */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'recorded_at', type: 'varchar', length: 30 })
  recordedAt!: string;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  /** Id of the AUDIT_CHAIN_KEYS key that signed the row; null on rows written before the chain was keyed. */
  @Column({ name: 'mac_key_id', type: 'varchar', length: 64, nullable: true })
  macKeyId!: string | null;

  /** HMAC-SHA256 of `hash` under that key, hex (libs/crypto ChainMac). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  mac!: string | null;
}
