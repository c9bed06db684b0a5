import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A passport in the company's custody ledger. The number is personal data: only its AES-256-GCM
 * ciphertext is stored, with the id of the key that sealed it (keys rotate), plus the last three
 * characters that responses and emails may show.
 */
@Entity({ name: 'passports' })
@Index('idx_passports_employee', ['employeeEmail'])
@Index('idx_passports_created', ['createdAt', 'id'])
@Index('idx_passports_employee_created', ['employeeEmail', 'createdAt', 'id'])
@Index('idx_passports_status_created', ['status', 'createdAt', 'id'])
@Index('idx_passports_status_due', ['status', 'dueBackAt'])
@Index('uq_passports_active_fingerprint', ['numberFingerprint'], {
  unique: true,
  where: "status IN ('in_custody', 'ready_for_hand_out', 'released', 'overdue')",
})
export class PassportEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'employee_email', type: 'varchar', length: 254 })
  employeeEmail!: string;

  /** base64 of iv ‖ ciphertext ‖ tag, sealed under `numberKeyId`. */
  @Column({ name: 'number_ciphertext', type: 'text' })
  numberCiphertext!: string;

  @Column({ name: 'number_key_id', type: 'varchar', length: 64 })
  numberKeyId!: string;

  /**
   * HMAC of issuing country + number under the key `numberKeyId` (libs/crypto passportFingerprint):
   * unique among active records. Null only for a row stored before it existed and not yet filled.
   */
  @Column({ name: 'number_fingerprint', type: 'varchar', length: 64, nullable: true })
  numberFingerprint!: string | null;

  /** The last three characters, for masked display (e.g. "••••••789"). */
  @Column({ name: 'number_last3', type: 'varchar', length: 3 })
  numberLast3!: string;

  @Column({ name: 'issuing_country', type: 'varchar', length: 2 })
  issuingCountry!: string;

  @Column({ name: 'expiry_date', type: 'varchar', length: 10 })
  expiryDate!: string;

  /** in_custody | ready_for_hand_out | released | overdue */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  /** The passport_release request that took it out, while released. */
  @Column({ name: 'release_request_id', type: 'varchar', length: 36, nullable: true })
  releaseRequestId!: string | null;

  /** The custodian who handed it out (identity checked) after the release was approved. */
  @Column({ name: 'handed_out_by', type: 'varchar', length: 254, nullable: true })
  handedOutBy!: string | null;

  @Column({ name: 'handed_out_at', type: 'varchar', length: 30, nullable: true })
  handedOutAt!: string | null;

  @Column({ name: 'released_at', type: 'varchar', length: 30, nullable: true })
  releasedAt!: string | null;

  @Column({ name: 'due_back_at', type: 'varchar', length: 30, nullable: true })
  dueBackAt!: string | null;

  @Column({ name: 'returned_at', type: 'varchar', length: 30, nullable: true })
  returnedAt!: string | null;

  @Column({ name: 'deposited_by', type: 'varchar', length: 254 })
  depositedBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}
