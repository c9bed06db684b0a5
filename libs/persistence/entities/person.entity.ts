import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'people' })
export class PersonEntity {
  @PrimaryColumn({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Personnel tier; null for people who never request (approvers, custodians…). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  tier!: string | null;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ name: 'manager_email', type: 'varchar', length: 254, nullable: true })
  managerEmail!: string | null;

  @Column({ name: 'classified_access', type: 'boolean', default: false })
  classifiedAccess!: boolean;

  /** ISO date `YYYY-MM-DD`, or null. */
  @Column({ name: 'confidentiality_period_ends', type: 'varchar', length: 10, nullable: true })
  confidentialityPeriodEnds!: string | null;
}
