import { createHash, randomUUID } from 'node:crypto';
import { Brackets, In, type DataSource, type EntityManager } from 'typeorm';
import { appendAudit, writeTransaction } from './audit-log.repository';
import { canonicalJson } from './canonical-json';
import type { RestrictedParty } from '../domain/screening';
import { ScreeningEntryEntity } from './entities';

export interface NewScreeningEntry {
  name: string;
  aliases: string[];
  country: string | null;
  source: string;
  externalId: string | null;
}

/**
 * How an import treats the entries already stored. `replace` (the default, what a list refresh
 * needs): every stored entry of a source present in the import is deleted first, including
 * entries added by hand under that source, so entries taken off the published list disappear.
 * `append`: the import only adds.
 */
export type ImportMode = 'replace' | 'append';

export interface EntryListFilter {
  /** Case-insensitive substring of the name or an alias. */
  q?: string;
  source?: string;
  limit: number;
  /** Keyset: entries after this one in (name, id) order. */
  after?: { name: string; id: string };
}

/** Rows per INSERT: 7 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 200;

/**
 * `now`, or just after the newest stored entry when a clock is behind: every write inserts, so the
 * newest creation time strictly grows with each write and `signature()` sees every change.
 */
async function stampAfterNewest(manager: EntityManager, now: string): Promise<string> {
  const row = await manager
    .getRepository(ScreeningEntryEntity)
    .createQueryBuilder('e')
    .select('MAX(e.created_at)', 'newest')
    .getRawOne<{ newest: string | null }>();
  const newest = row?.newest;
  return newest && newest >= now ? new Date(Date.parse(newest) + 1).toISOString() : now;
}

/**
 * SHA-256 of entries' canonical JSON: the audit log proves which list was stored without copying
 * the names of the people on it.
 */
function contentSha256(entries: readonly NewScreeningEntry[]): string {
  const content = entries.map((e) => ({
    name: e.name,
    aliases: e.aliases,
    country: e.country,
    source: e.source,
    externalId: e.externalId,
  }));
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export function toRestrictedParty(entity: ScreeningEntryEntity): RestrictedParty {
  return {
    id: entity.id,
    name: entity.name,
    aliases: entity.aliases ?? [],
    country: entity.country,
    source: entity.source,
  };
}

/** The restricted-party list. Entries are inserted and deleted, never updated in place. */
export class ScreeningEntryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(
    entry: NewScreeningEntry,
    now: string,
    options: { actor?: string | null } = {},
  ): Promise<ScreeningEntryEntity> {
    return writeTransaction(this.dataSource, async (manager) => {
      const createdAt = await stampAfterNewest(manager, now);
      const entity = Object.assign(new ScreeningEntryEntity(), { id: randomUUID(), ...entry, createdAt });
      await manager.getRepository(ScreeningEntryEntity).insert(entity);
      await appendAudit(manager, [
        {
          event: 'screening.entry.added',
          actor: options.actor ?? null,
          payload: {
            id: entity.id,
            source: entry.source,
            externalId: entry.externalId,
            country: entry.country,
            contentSha256: contentSha256([entry]),
          },
        },
      ]);
      return entity;
    });
  }

  /** Stores a whole list in one transaction: either every entry is stored (and the replaced ones gone) or none. */
  async importEntries(
    entries: readonly NewScreeningEntry[],
    options: { mode: ImportMode; now: string; actor?: string | null },
  ): Promise<{ imported: number; replaced: number }> {
    if (entries.length === 0) return { imported: 0, replaced: 0 };
    return writeTransaction(this.dataSource, async (manager) => {
      const repo = manager.getRepository(ScreeningEntryEntity);
      const createdAt = await stampAfterNewest(manager, options.now);
      let replaced = 0;
      if (options.mode === 'replace') {
        const sources = [...new Set(entries.map((e) => e.source))];
        replaced = (await repo.delete({ source: In(sources) })).affected ?? 0;
      }
      for (let i = 0; i < entries.length; i += CHUNK) {
        await repo.insert(
          entries
            .slice(i, i + CHUNK)
            .map((e) => Object.assign(new ScreeningEntryEntity(), { id: randomUUID(), ...e, createdAt })),
        );
      }
      await appendAudit(manager, [
        {
          event: 'screening.imported',
          actor: options.actor ?? null,
          payload: {
            mode: options.mode,
            sources: [...new Set(entries.map((e) => e.source))].sort(),
            imported: entries.length,
            replaced,
            contentSha256: contentSha256(entries),
          },
        },
      ]);
      return { imported: entries.length, replaced };
    });
  }

  async findById(id: string): Promise<ScreeningEntryEntity | null> {
    if (!id) return null;
    return this.dataSource.getRepository(ScreeningEntryEntity).findOneBy({ id });
  }

  /** A page of entries in (name, id) order. */
  async list(filter: EntryListFilter): Promise<ScreeningEntryEntity[]> {
    const qb = this.dataSource.getRepository(ScreeningEntryEntity).createQueryBuilder('e');
    if (filter.q) {
      const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        new Brackets((w) => {
          w.where("LOWER(e.name) LIKE :pattern ESCAPE '\\'", { pattern }).orWhere(
            "LOWER(e.aliases) LIKE :pattern ESCAPE '\\'",
            { pattern },
          );
        }),
      );
    }
    if (filter.source) qb.andWhere('e.source = :source', { source: filter.source });
    if (filter.after) {
      const { name, id } = filter.after;
      qb.andWhere(
        new Brackets((w) => {
          w.where('e.name > :aName', { aName: name }).orWhere('(e.name = :aName AND e.id > :aId)', {
            aName: name,
            aId: id,
          });
        }),
      );
    }
    return qb.orderBy('e.name', 'ASC').addOrderBy('e.id', 'ASC').limit(filter.limit).getMany();
  }

  /** Every entry, as the matcher sees it. */
  async allParties(): Promise<RestrictedParty[]> {
    const rows = await this.dataSource.getRepository(ScreeningEntryEntity).find({ order: { id: 'ASC' } });
    return rows.map(toRestrictedParty);
  }

  /**
   * Changes whenever the list changes, in any process: entries are only inserted and deleted, every
   * write inserts, and creation times strictly grow (see `stampAfterNewest`), so the count and the
   * newest creation time together move on every write. Cheap enough to ask before every screening.
   */
  async signature(): Promise<string> {
    const row = await this.dataSource
      .getRepository(ScreeningEntryEntity)
      .createQueryBuilder('e')
      .select('COUNT(*)', 'n')
      .addSelect('MAX(e.created_at)', 'newest')
      .getRawOne<{ n: number | string; newest: string | null }>();
    return `${Number(row?.n ?? 0)}|${row?.newest ?? ''}`;
  }
}
