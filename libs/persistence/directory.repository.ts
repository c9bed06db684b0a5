import { Brackets, In, type DataSource, type EntityManager } from 'typeorm';
import { appendAudit, writeTransaction, type AuditEntry } from './audit-log.repository';
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

/** Who made a directory change: an admin's email, or `system` for the seed file. */
export interface DirectoryActor {
  actor?: string | null;
  /** Why, as the admin gave it (X-Change-Reason); kept in the audit entry. */
  reason?: string | null;
}

/** What the audit log keeps of a person: what decides who reviews, never their name or flag values. */
interface ReviewFacts {
  tier: string | null;
  roles: string[];
  managerEmail: string | null;
  parties: Array<{ party: string; lead: boolean }>;
}

function reviewFacts(person: Pick<Person, 'tier' | 'roles' | 'managerEmail' | 'parties'>): ReviewFacts {
  return {
    tier: person.tier,
    roles: [...person.roles].sort(),
    managerEmail: person.managerEmail?.trim().toLowerCase() || null,
    parties: person.parties
      .map((m) => ({ party: m.party, lead: m.lead }))
      .sort((a, b) => a.party.localeCompare(b.party)),
  };
}

/**
 * The audit entry of one person's write, or null when nothing changed. A tier change is its own
 * event (it changes the route of every later request); name and flags are named, not copied.
 */
function personChange(email: string, before: Person | null, after: Person, actor: string | null): AuditEntry | null {
  const next = reviewFacts(after);
  if (!before) return { event: 'directory.person.created', actor, payload: { subject: email, ...next } };
  const prev = reviewFacts(before);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ['tier', 'roles', 'managerEmail', 'parties'] as const) {
    if (JSON.stringify(prev[field]) !== JSON.stringify(next[field]))
      changes[field] = { from: prev[field], to: next[field] };
  }
  const named: string[] = [];
  if (before.name !== after.name) named.push('name');
  if (before.flags.classifiedAccess !== after.flags.classifiedAccess) named.push('classifiedAccess');
  if (before.flags.confidentialityPeriodEnds !== after.flags.confidentialityPeriodEnds) {
    named.push('confidentialityPeriodEnds');
  }
  if (Object.keys(changes).length === 0 && named.length === 0) return null;
  return {
    event: changes.tier ? 'directory.tier.changed' : 'directory.person.updated',
    actor,
    payload: { subject: email, changes, alsoChanged: named },
  };
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

  /** The names of these people by their (lower-case) email; people the directory does not know are left out. */
  async namesOf(emails: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
    if (wanted.length === 0) return new Map();
    const people = await this.dataSource
      .getRepository(PersonEntity)
      .find({ select: { email: true, name: true }, where: { email: In(wanted) } });
    return new Map(people.map((p) => [p.email, p.name]));
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
  async upsertPerson(person: Person, options: DirectoryActor = {}): Promise<{ created: boolean }> {
    return writeTransaction(this.dataSource, async (manager) => {
      const { created, change } = await this.write(manager, person, options.actor ?? null);
      if (change && options.reason) change.payload = { ...change.payload, reason: options.reason };
      if (change) await appendAudit(manager, [change]);
      return { created };
    });
  }

  /**
   * Creates or replaces every given person in one transaction: all of them or none. Nobody is
   * removed. The audit log gets one entry per changed person and one for the import.
   */
  async importPeople(people: Person[], options: DirectoryActor = {}): Promise<ImportResult> {
    const actor = options.actor ?? null;
    return writeTransaction(this.dataSource, async (manager) => {
      let created = 0;
      const changes: AuditEntry[] = [];
      for (const person of people) {
        const written = await this.write(manager, person, actor);
        if (written.created) created += 1;
        if (written.change) changes.push(written.change);
      }
      const result = { created, updated: people.length - created };
      if (changes.length > 0) {
        await appendAudit(manager, [
          ...changes,
          { event: 'directory.imported', actor, payload: { ...result, changed: changes.length } },
        ]);
      }
      return result;
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
      { actor: 'system' },
    );
    return seed.people.length;
  }

  private async write(
    manager: EntityManager,
    person: Person,
    actor: string | null,
  ): Promise<{ created: boolean; change: AuditEntry | null }> {
    const email = person.email.trim().toLowerCase();
    if (!email) throw new Error('a person needs an email');
    const people = manager.getRepository(PersonEntity);
    const existing = await people.findOneBy({ email });
    const before = existing
      ? toPerson(existing, await manager.getRepository(PartyMemberEntity).findBy({ email }))
      : null;
    const created = !before;
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
    return { created, change: personChange(email, before, person, actor) };
  }
}
