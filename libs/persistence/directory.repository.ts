import type { DataSource, EntityManager } from 'typeorm';
import type { DirectorySeed, Person } from '../domain/person';
import type { Party, Role, Tier } from '../domain/vocabulary';
import { PartyMemberEntity, PersonEntity } from './entities';

export interface PartyMember {
  email: string;
  name: string;
  lead: boolean;
}

/** The personnel directory: people, their tiers and roles, and who sits in which party. */
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findPerson(email: string): Promise<Person | null> {
    const normalized = email.trim().toLowerCase();
    if (!normalized) return null;
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ email: normalized });
    if (!person) return null;
    const memberships = await this.dataSource.getRepository(PartyMemberEntity).findBy({ email: normalized });
    return {
      email: person.email,
      name: person.name,
      tier: person.tier as Tier | null,
      roles: person.roles as Role[],
      managerEmail: person.managerEmail,
      parties: memberships.map((m) => ({ party: m.party as Party, lead: m.isLead })),
    };
  }

  async partyMembers(party: Party): Promise<PartyMember[]> {
    const rows = await this.dataSource
      .getRepository(PartyMemberEntity)
      .createQueryBuilder('m')
      .innerJoin(PersonEntity, 'p', 'p.email = m.email')
      .select(['m.email AS email', 'p.name AS name', 'm.is_lead AS lead'])
      .where('m.party = :party', { party })
      .orderBy('m.email', 'ASC')
      .getRawMany<{ email: string; name: string; lead: boolean | number }>();
    return rows.map((r) => ({ email: r.email, name: r.name, lead: Boolean(r.lead) }));
  }

  /** Loads a seed file's people and memberships; existing people are updated, nobody is removed. */
  async applySeed(seed: DirectorySeed): Promise<number> {
    await this.dataSource.transaction(async (manager: EntityManager) => {
      for (const p of seed.people) {
        const email = p.email.toLowerCase();
        await manager.getRepository(PersonEntity).save({
          email,
          name: p.name,
          tier: p.tier ?? null,
          roles: p.roles,
          managerEmail: p.managerEmail?.toLowerCase() ?? null,
        });
        await manager.getRepository(PartyMemberEntity).delete({ email });
        for (const m of p.parties ?? []) {
          await manager.getRepository(PartyMemberEntity).save({ email, party: m.party, isLead: m.lead });
        }
      }
    });
    return seed.people.length;
  }
}
