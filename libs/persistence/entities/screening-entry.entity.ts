import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One entry of a restricted-party list (imported from a list such as the CSL, or added by an admin). */
@Entity({ name: 'screening_entries' })
@Index('idx_screening_entries_name', ['name', 'id'])
@Index('idx_screening_entries_source', ['source'])
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
}
