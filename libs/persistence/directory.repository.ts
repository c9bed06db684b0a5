import { Brackets, In, type DataSource, type EntityManager } from 'typeorm';
import { writeTransaction } from './audit-log.repository';
import type { DirectorySeed, Person } from '../domain/person';
import type { Party, Role, Tier } from '../domain/vocabulary';
import { PartyMemberEntity, PersonEntity } from './entities';

export interface PartyMember {
  email: string;
  name: string;
  lead: boolean;
}

export interface PeopleFilter {
  /** Case-insensitive substring of the email or the name. */
  q?: string;
  /** A tier, or `none` for people without one. */
  tier?: Tier | 'none';
  party?: Party;
  role?: Role;
  limit: number;
  /** The last email of the previous page: the page starts after it (people are listed by email). */
  after?: string;
}

export interface PeoplePage {
  items: Person[];
  /** The last email of this page when more follow, else null. */
  nextAfter: string | null;
}

export interface ImportResult {
  created: number;
  updated: number;
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern with ESCAPE '\'. */
function likePattern(fragment: string): string {
  return `%${fragment.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toPerson(person: PersonEntity, memberships: PartyMemberEntity[]): Person {
  return {
    email: person.email,
    name: person.name,
    tier: person.tier as Tier | null,
    roles: person.roles as Role[],
    managerEmail: person.managerEmail,
    flags: {
      classifiedAccess: Boolean(person.classifiedAccess),
      confidentialityPeriodEnds: person.confidentialityPeriodEnds,
    },
    parties: memberships
      .map((m) => ({ party: m.party as Party, lead: Boolean(m.isLead) }))
      .sort((a, b) => a.party.localeCompare(b.party)),
  };
}

/** The personnel directory: people, their tiers, roles and flags, and who sits in which party. */
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findPerson(email: string): Promise<Person | null> {
    const normalized = email.trim().toLowerCase();
    if (!normalized) return null;
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ email: normalized });
    if (!person) return null;
    const memberships = await this.dataSource.getRepository(PartyMemberEntity).findBy({ email: normalized });
    return toPerson(person, memberships);
  }

  /** People by email, filtered, one page at a time (keyset on the email). */
  async list(filter: PeopleFilter): Promise<PeoplePage> {
    if (!Number.isInteger(filter.limit) || filter.limit < 1) throw new Error(`invalid page size ${filter.limit}`);
    const qb = this.dataSource.getRepository(PersonEntity).createQueryBuilder('p');
    const q = filter.q?.trim().toLowerCase();
    if (q) {
      qb.andWhere(
        new Brackets((w) => {
          const pattern = likePattern(q);
          w.where("LOWER(p.email) LIKE :q ESCAPE '\\'", { q: pattern }).orWhere("LOWER(p.name) LIKE :q ESCAPE '\\'", {
            q: pattern,
          });
        }),
      );
    }
    if (filter.tier === 'none') qb.andWhere('p.tier IS NULL');
    else if (filter.tier) qb.andWhere('p.tier = :tier', { tier: filter.tier });
    // Roles are a JSON array of closed-vocabulary words: `"admin"` with its quotes names exactly one role.
    if (filter.role) qb.andWhere("p.roles LIKE :role ESCAPE '\\'", { role: likePattern(JSON.stringify(filter.role)) });
    if (filter.party) {
      qb.andWhere('p.email IN (SELECT m.email FROM party_members m WHERE m.party = :party)', { party: filter.party });
    }
    if (filter.after !== undefined) qb.andWhere('p.email > :after', { after: filter.after });
    const rows = await qb
      .orderBy('p.email', 'ASC')
      .limit(filter.limit + 1)
      .getMany();
    const page = rows.slice(0, filter.limit);
    const memberships =
      page.length === 0
        ? []
        : await this.dataSource.getRepository(PartyMemberEntity).findBy({ email: In(page.map((p) => p.email)) });
    const membershipsOf = (email: string) => memberships.filter((m) => m.email === email);
    return {
      items: page.map((p) => toPerson(p, membershipsOf(p.email))),
      nextAfter: rows.length > filter.limit ? page[page.length - 1].email : null,
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

  /**
   * Creates or replaces one person: name, tier, roles, flags, manager and, in the same
   * transaction, their party memberships. Answers whether the person is new.
   */
  async upsertPerson(person: Person): Promise<{ created: boolean }> {
    return writeTransaction(this.dataSource, async (manager) => ({ created: await this.write(manager, person) }));
  }

  /** Creates or replaces every given person in one transaction: all of them or none. Nobody is removed. */
  async importPeople(people: Person[]): Promise<ImportResult> {
    return writeTransaction(this.dataSource, async (manager) => {
      let created = 0;
      for (const person of people) if (await this.write(manager, person)) created += 1;
      return { created, updated: people.length - created };
    });
  }

  /** Loads a seed file's people and memberships; existing people are updated, nobody is removed. */
  async applySeed(seed: DirectorySeed): Promise<number> {
    await this.importPeople(
      seed.people.map((p) => ({
        email: p.email,
        name: p.name,
        tier: p.tier ?? null,
        roles: p.roles,
        managerEmail: p.managerEmail ?? null,
        flags: {
          classifiedAccess: p.classifiedAccess ?? false,
          confidentialityPeriodEnds: p.confidentialityPeriodEnds ?? null,
        },
        parties: p.parties ?? [],
      })),
    );
    return seed.people.length;
  }

  private async write(manager: EntityManager, person: Person): Promise<boolean> {
    const email = person.email.trim().toLowerCase();
    if (!email) throw new Error('a person needs an email');
    const people = manager.getRepository(PersonEntity);
    const created = !(await people.existsBy({ email }));
    await people.save({
      email,
      name: person.name,
      tier: person.tier,
      roles: person.roles,
      managerEmail: person.managerEmail?.trim().toLowerCase() || null,
      classifiedAccess: person.flags.classifiedAccess,
      confidentialityPeriodEnds: person.flags.confidentialityPeriodEnds,
    });
    const members = manager.getRepository(PartyMemberEntity);
    await members.delete({ email });
    if (person.parties.length > 0) {
      await members.insert(person.parties.map((m) => ({ email, party: m.party, isLead: m.lead })));
    }
    return created;
  }
}
