import { createHash, randomUUID } from 'node:crypto';
import { Brackets, In, IsNull, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { appendAudit, writeTransaction } from './audit-log.repository';
import { canonicalJson } from './canonical-json';
import type { RestrictedParty } from '../domain/screening';
import { entryIdentityKey } from '../screening/identity';
import { AuditLogEntity, ScreeningEntryEntity } from './entities';
import { SCREENING_DEDUP_MIGRATION } from './migrations/1763900009000-screening-identity';

export interface NewScreeningEntry {
  name: string;
  aliases: string[];
  country: string | null;
  source: string;
  externalId: string | null;
}

/** An entry of an import, with the row of the file it came from (for the row-by-row report). */
export interface ImportedScreeningEntry extends NewScreeningEntry {
  row?: number;
}

/** What an edit may change. */
export interface ScreeningEntryChanges {
  name?: string;
  country?: string | null;
  source?: string;
}

/** The entry's identity is taken by another active entry (`existing`): the list keeps one of them. */
export class DuplicateScreeningEntryError extends Error {
  constructor(readonly existing: ScreeningEntryEntity) {
    super(`already on the list: ${existing.name} (entry ${existing.id})`);
    this.name = 'DuplicateScreeningEntryError';
  }
}

/** The entry was removed before: it can no longer be edited or removed. */
export class RemovedScreeningEntryError extends Error {
  constructor(readonly entry: ScreeningEntryEntity) {
    super(`entry ${entry.id} was removed on ${entry.removedAt}`);
    this.name = 'RemovedScreeningEntryError';
  }
}

/** A row of an import left out because it is an entry already on the list or earlier in the file. */
export interface ImportDuplicate {
  /** Index of the entry in the imported array. */
  index: number;
  row?: number;
  /** The stored entry it duplicates, or the earlier entry of the same file. */
  of: { id: string | null; row?: number; name: string; country: string | null; source: string };
}

/** Why an import's `replace` took an entry off the list. */
export const REPLACED_BY_IMPORT_REASON = 'replaced by an import of its source';

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
  /** Removed entries too (they are left out otherwise). */
  includeRemoved?: boolean;
}

/** Rows per INSERT: 7 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 200;

/**
 * `now`, or just after the newest write when a clock is behind: every write (insert, edit, removal)
 * stamps the rows it writes with this, so the newest `changed_at` strictly grows with each write and
 * `signature()` sees every change.
 */
async function stampAfterNewest(manager: EntityManager, now: string): Promise<string> {
  const row = await manager
    .getRepository(ScreeningEntryEntity)
    .createQueryBuilder('e')
    .select('MAX(e.changed_at)', 'newest')
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

const nameSha256 = (name: string) => createHash('sha256').update(name).digest('hex');

/** An entry as its audit entries show it: the name only as its SHA-256 (the list names people). */
function auditedState(e: { name: string; country: string | null; source: string; externalId: string | null }) {
  return { nameSha256: nameSha256(e.name), country: e.country, source: e.source, externalId: e.externalId };
}

/** A unique index refused the write (SQLite and PostgreSQL word it differently). */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string } | undefined;
  return driverError?.code === '23505' || /UNIQUE constraint failed/i.test(error.message);
}

const active = { removedAt: IsNull() };

export function toRestrictedParty(entity: ScreeningEntryEntity): RestrictedParty {
  return {
    id: entity.id,
    name: entity.name,
    aliases: entity.aliases ?? [],
    country: entity.country,
    source: entity.source,
  };
}

/** The restricted-party list. Entries are inserted, edited and removed softly (never deleted). */
export class ScreeningEntryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The active entry with this identity, if any (other than `exceptId`). */
  private async activeWithIdentity(
    manager: EntityManager,
    identityKey: string,
    exceptId?: string,
  ): Promise<ScreeningEntryEntity | null> {
    const rows = await manager.getRepository(ScreeningEntryEntity).findBy({ identityKey, ...active });
    return rows.find((r) => r.id !== exceptId) ?? null;
  }

  /**
   * Runs a write that a concurrent one with the same identity may beat to the unique index: the
   * loser learns which entry won, as if it had seen it before writing.
   */
  private async guarded<T>(identityKey: string, exceptId: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.activeWithIdentity(this.dataSource.manager, identityKey, exceptId);
      if (existing) throw new DuplicateScreeningEntryError(existing);
      throw error;
    }
  }

  /** Adds one entry; `DuplicateScreeningEntryError` when an active entry has its identity. */
  async create(
    entry: NewScreeningEntry,
    now: string,
    options: { actor?: string | null } = {},
  ): Promise<ScreeningEntryEntity> {
    const identityKey = entryIdentityKey(entry);
    return this.guarded(identityKey, undefined, () =>
      writeTransaction(this.dataSource, async (manager) => {
        const existing = await this.activeWithIdentity(manager, identityKey);
        if (existing) throw new DuplicateScreeningEntryError(existing);
        const createdAt = await stampAfterNewest(manager, now);
        const entity = Object.assign(new ScreeningEntryEntity(), {
          id: randomUUID(),
          name: entry.name,
          aliases: entry.aliases,
          country: entry.country,
          source: entry.source,
          externalId: entry.externalId,
          createdAt,
          identityKey,
          changedAt: createdAt,
          removedAt: null,
          removedBy: null,
          removalReason: null,
        });
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
      }),
    );
  }

  /**
   * Stores a whole list in one transaction: either every new entry is stored (and the replaced ones
   * removed) or none. An entry whose identity is already on the list (after `replace` took the
   * file's sources off) or earlier in the file is not stored but reported in `duplicates`.
   */
  async importEntries(
    entries: readonly ImportedScreeningEntry[],
    options: { mode: ImportMode; now: string; actor?: string | null },
  ): Promise<{ imported: number; replaced: number; duplicates: ImportDuplicate[] }> {
    if (entries.length === 0) return { imported: 0, replaced: 0, duplicates: [] };
    return writeTransaction(this.dataSource, async (manager) => {
      const repo = manager.getRepository(ScreeningEntryEntity);
      const stamp = await stampAfterNewest(manager, options.now);
      let replaced = 0;
      const sources = [...new Set(entries.map((e) => e.source))];
      if (options.mode === 'replace') {
        replaced =
          (
            await repo.update(
              { source: In(sources), ...active },
              {
                removedAt: stamp,
                removedBy: options.actor ?? null,
                removalReason: REPLACED_BY_IMPORT_REASON,
                changedAt: stamp,
              },
            )
          ).affected ?? 0;
      }
      const keys = entries.map((e) => entryIdentityKey(e));
      const stored = new Map<string, ScreeningEntryEntity>();
      const distinct = [...new Set(keys)];
      for (let i = 0; i < distinct.length; i += CHUNK) {
        for (const row of await repo.findBy({ identityKey: In(distinct.slice(i, i + CHUNK)), ...active })) {
          if (row.identityKey) stored.set(row.identityKey, row);
        }
      }
      const firstInFile = new Map<string, number>();
      const duplicates: ImportDuplicate[] = [];
      const fresh: ScreeningEntryEntity[] = [];
      entries.forEach((e, index) => {
        const key = keys[index];
        const onList = stored.get(key);
        const earlier = firstInFile.get(key);
        if (onList) {
          duplicates.push({
            index,
            row: e.row,
            of: { id: onList.id, name: onList.name, country: onList.country, source: onList.source },
          });
          return;
        }
        if (earlier !== undefined) {
          const first = entries[earlier];
          duplicates.push({
            index,
            row: e.row,
            of: { id: null, row: first.row, name: first.name, country: first.country, source: first.source },
          });
          return;
        }
        firstInFile.set(key, index);
        fresh.push(
          Object.assign(new ScreeningEntryEntity(), {
            id: randomUUID(),
            name: e.name,
            aliases: e.aliases,
            country: e.country,
            source: e.source,
            externalId: e.externalId,
            createdAt: stamp,
            identityKey: key,
            changedAt: stamp,
            removedAt: null,
            removedBy: null,
            removalReason: null,
          }),
        );
      });
      for (let i = 0; i < fresh.length; i += CHUNK) await repo.insert(fresh.slice(i, i + CHUNK));
      await appendAudit(manager, [
        {
          event: 'screening.imported',
          actor: options.actor ?? null,
          payload: {
            mode: options.mode,
            sources: [...sources].sort(),
            imported: fresh.length,
            replaced,
            duplicates: duplicates.length,
            contentSha256: contentSha256(fresh),
          },
        },
      ]);
      return { imported: fresh.length, replaced, duplicates };
    });
  }

  /**
   * Edits an entry's name, country or source, with the admin's reason; null when there is no such
   * entry. `DuplicateScreeningEntryError` when the edit would make it another active entry;
   * `RemovedScreeningEntryError` for a removed entry. An edit that changes nothing records nothing.
   */
  async update(
    id: string,
    changes: ScreeningEntryChanges,
    options: { now: string; actor: string | null; reason: string },
  ): Promise<{ before: ScreeningEntryEntity; after: ScreeningEntryEntity } | null> {
    if (!id) return null;
    const current = await this.findById(id);
    if (!current) return null;
    const next = {
      name: changes.name ?? current.name,
      country: changes.country === undefined ? current.country : changes.country,
      source: changes.source ?? current.source,
    };
    const identityKey = entryIdentityKey(next);
    return this.guarded(identityKey, id, () =>
      writeTransaction(this.dataSource, async (manager) => {
        const repo = manager.getRepository(ScreeningEntryEntity);
        const before = await repo.findOneBy({ id });
        if (!before) return null;
        if (before.removedAt) throw new RemovedScreeningEntryError(before);
        const changed = (['name', 'country', 'source'] as const).filter((f) => before[f] !== next[f]);
        if (changed.length === 0) return { before, after: before };
        const existing = await this.activeWithIdentity(manager, identityKey, id);
        if (existing) throw new DuplicateScreeningEntryError(existing);
        const stamp = await stampAfterNewest(manager, options.now);
        // A name that became one of the aliases is not kept twice.
        const aliases = (before.aliases ?? []).filter((a) => a !== next.name);
        await repo.update({ id }, { ...next, aliases, identityKey, changedAt: stamp });
        const after = Object.assign(new ScreeningEntryEntity(), before, next, {
          aliases,
          identityKey,
          changedAt: stamp,
        });
        await appendAudit(manager, [
          {
            event: 'screening.entry.changed',
            actor: options.actor,
            payload: {
              id,
              changed,
              before: auditedState(before),
              after: auditedState(after),
              reason: options.reason,
            },
          },
        ]);
        return { before, after };
      }),
    );
  }

  /**
   * Removes an entry softly, with the admin's reason: it no longer matches, and stays readable with
   * who removed it, when and why. Null when there is no such entry; `RemovedScreeningEntryError` when
   * it was removed before.
   */
  async remove(
    id: string,
    options: { now: string; actor: string | null; reason: string },
  ): Promise<ScreeningEntryEntity | null> {
    if (!id) return null;
    return writeTransaction(this.dataSource, async (manager) => {
      const repo = manager.getRepository(ScreeningEntryEntity);
      const entry = await repo.findOneBy({ id });
      if (!entry) return null;
      if (entry.removedAt) throw new RemovedScreeningEntryError(entry);
      const stamp = await stampAfterNewest(manager, options.now);
      const removal = { removedAt: stamp, removedBy: options.actor, removalReason: options.reason, changedAt: stamp };
      await repo.update({ id }, removal);
      await appendAudit(manager, [
        {
          event: 'screening.entry.removed',
          actor: options.actor,
          payload: { id, before: auditedState(entry), after: null, reason: options.reason },
        },
      ]);
      return Object.assign(new ScreeningEntryEntity(), entry, removal);
    });
  }

  /**
   * Puts the duplicates migration 1763900009000 removed on the audit chain, once: a migration holds
   * no chain key, so the API does it on start (under the start-up lock) for every removal by the
   * migration that has no `screening.entry.removed` row yet. The actor is the migration, not a person.
   */
  async recordMigrationRemovals(): Promise<number> {
    return writeTransaction(this.dataSource, async (manager) => {
      const removed = await manager
        .getRepository(ScreeningEntryEntity)
        .find({ where: { removedBy: SCREENING_DEDUP_MIGRATION }, order: { removedAt: 'ASC', id: 'ASC' } });
      if (removed.length === 0) return 0;
      const recorded = new Set(
        (
          await manager
            .getRepository(AuditLogEntity)
            .find({ where: { event: 'screening.entry.removed', actor: SCREENING_DEDUP_MIGRATION } })
        ).map((row) => (JSON.parse(row.payload) as { id?: string }).id),
      );
      const missing = removed.filter((e) => !recorded.has(e.id));
      await appendAudit(
        manager,
        missing.map((e) => ({
          event: 'screening.entry.removed' as const,
          actor: SCREENING_DEDUP_MIGRATION,
          payload: {
            id: e.id,
            before: auditedState(e),
            after: null,
            reason: e.removalReason,
            removedAt: e.removedAt,
          },
        })),
      );
      return missing.length;
    });
  }

  /** One entry, removed or not. */
  async findById(id: string): Promise<ScreeningEntryEntity | null> {
    if (!id) return null;
    return this.dataSource.getRepository(ScreeningEntryEntity).findOneBy({ id });
  }

  /** A page of entries in (name, id) order; active ones only unless `includeRemoved`. */
  async list(filter: EntryListFilter): Promise<ScreeningEntryEntity[]> {
    const qb = this.dataSource.getRepository(ScreeningEntryEntity).createQueryBuilder('e');
    if (!filter.includeRemoved) qb.andWhere('e.removed_at IS NULL');
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

  /** Every active entry, as the matcher sees it. */
  async allParties(): Promise<RestrictedParty[]> {
    const rows = await this.dataSource
      .getRepository(ScreeningEntryEntity)
      .find({ where: active, order: { id: 'ASC' } });
    return rows.map(toRestrictedParty);
  }

  /**
   * Changes whenever the list changes, in any process: rows are never deleted, every write stamps
   * what it writes, and the stamps strictly grow (see `stampAfterNewest`), so the count and the
   * newest `changed_at` together move on every write. Cheap enough to ask before every screening.
   */
  async signature(): Promise<string> {
    const row = await this.dataSource
      .getRepository(ScreeningEntryEntity)
      .createQueryBuilder('e')
      .select('COUNT(*)', 'n')
      .addSelect('MAX(e.changed_at)', 'newest')
      .getRawOne<{ n: number | string; newest: string | null }>();
    return `${Number(row?.n ?? 0)}|${row?.newest ?? ''}`;
  }
}
