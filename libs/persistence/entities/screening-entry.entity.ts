import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One entry of a restricted-party list (imported from a list such as the CSL, or added by an admin). */
@Entity({ name: 'screening_entries' })
@Index('idx_screening_entries_name', ['name', 'id'])
@Index('idx_screening_entries_source', ['source'])
@Index('uq_screening_entries_identity', ['identityKey'], { unique: true, where: 'removed_at IS NULL' })
export class ScreeningEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ type: 'simple-json' })
  aliases!: string[];

  /** ISO 3166-1 alpha-2, or null when the list gives no country. */
  @Column({ type: 'varchar', length: 2, nullable: true })
  country!: string | null;

  /** The list the entry comes from (`Entity List (EL) - Bureau of Industry and Security`, `internal`…). */
  @Column({ type: 'varchar', length: 100 })
  source!: string;

  /** The entry's identifier in its source list (the CSL `_id`), when it has one. */
  @Column({ name: 'external_id', type: 'varchar', length: 100, nullable: true })
  externalId!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  /** SHA-256 of the entry's identity (libs/screening/identity.ts), unique among active entries. */
  @Column({ name: 'identity_key', type: 'varchar', length: 64, nullable: true })
  identityKey!: string | null;

  /** When the entry was last written (added, edited or removed); strictly grows across the list. */
  @Column({ name: 'changed_at', type: 'varchar', length: 30, nullable: true })
  changedAt!: string | null;

  /** Removal is soft: a removed entry no longer matches, but stays readable with who removed it and why. */
  @Column({ name: 'removed_at', type: 'varchar', length: 30, nullable: true })
  removedAt!: string | null;

  @Column({ name: 'removed_by', type: 'varchar', length: 254, nullable: true })
  removedBy!: string | null;

  @Column({ name: 'removal_reason', type: 'text', nullable: true })
  removalReason!: string | null;
}
