import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'party_members' })
@Index('idx_party_members_email', ['email'])
export class PartyMemberEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  party!: string;

  @PrimaryColumn({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'is_lead', type: 'boolean', default: false })
  isLead!: boolean;
}
