import { Injectable, Logger } from '@nestjs/common';
import type { Person } from '@libs/domain/person';
import type { Party, Role, Tier } from '@libs/domain/vocabulary';
import { DirectoryRepository } from '@libs/persistence';
import { DomainError } from '../common/domain-error';
import { parseDirectoryCsv, type CsvRowError } from './directory-csv';
import { toPersonView, type PersonView } from './person-view';

export interface ListPeopleOptions {
  q?: string;
  tier?: Tier | 'none';
  party?: Party;
  role?: Role;
  limit: number;
  cursor?: string;
}

/** The answer to a CSV import: all or nothing, so `imported` is 0 whenever `errors` is not empty. */
export interface ImportReport {
  dryRun: boolean;
  /** Data rows read. */
  rows: number;
  imported: number;
  created: number;
  updated: number;
  errors: CsvRowError[];
}

function encodeCursor(email: string): string {
  return Buffer.from(JSON.stringify([email])).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const [email] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof email === 'string') return email;
  } catch {
    // fall through to the validation error
  }
  throw DomainError.validation([{ field: 'cursor', messages: ['cursor is not one this API gave out'] }]);
}

/**
 * Administration of the personnel directory. A change applies from the next request on: requests
 * keep the tier their requester had when they were submitted (`requester_tier`).
 */
@Injectable()
export class DirectoryService {
  private readonly logger = new Logger('Directory');

  constructor(private readonly directory: DirectoryRepository) {}

  async list(options: ListPeopleOptions): Promise<{ items: PersonView[]; nextCursor: string | null }> {
    const page = await this.directory.list({
      q: options.q,
      tier: options.tier,
      party: options.party,
      role: options.role,
      limit: options.limit,
      after: options.cursor === undefined ? undefined : decodeCursor(options.cursor),
    });
    return {
      items: page.items.map(toPersonView),
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    };
  }

  async get(email: string): Promise<PersonView> {
    const person = await this.directory.findPerson(email);
    if (!person) throw new DomainError('NOT_FOUND', `${email.slice(0, 254)} is not in the directory`);
    return toPersonView(person);
  }

  async put(
    caller: Person,
    person: Person,
    reason: string | null = null,
  ): Promise<{ view: PersonView; created: boolean }> {
    const before = await this.directory.findPerson(person.email);
    const { created } = await this.directory.upsertPerson(person, { actor: caller.email, reason });
    const tierChange = before && before.tier !== person.tier ? ` (tier ${before.tier} -> ${person.tier})` : '';
    this.logger.log(`${caller.email} ${created ? 'created' : 'replaced'} ${person.email}${tierChange}`);
    return { view: await this.get(person.email), created };
  }

  /** Validates every row; imports them all in one transaction only when none is bad. */
  async import(caller: Person, csv: string, dryRun: boolean): Promise<ImportReport> {
    const parsed = parseDirectoryCsv(csv);
    const errors = [...parsed.errors];
    for (const { row, person } of parsed.people) {
      if (person.email === caller.email && !person.roles.includes('admin')) {
        errors.push({ row, field: 'roles', message: 'you cannot remove your own admin role; ask another admin' });
      }
    }
    errors.sort((a, b) => a.row - b.row);
    const report = { dryRun, rows: parsed.rows, imported: 0, created: 0, updated: 0, errors };
    if (errors.length > 0 || dryRun) return report;
    const { created, updated } = await this.directory.importPeople(
      parsed.people.map((p) => p.person),
      { actor: caller.email },
    );
    this.logger.log(`${caller.email} imported ${created + updated} people (${created} new, ${updated} replaced)`);
    return { ...report, imported: created + updated, created, updated };
  }
}
