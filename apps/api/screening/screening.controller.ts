import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { RestrictedParty } from '@libs/domain/screening';
import type { Person } from '@libs/domain/person';
import {
  DuplicateScreeningEntryError,
  RemovedScreeningEntryError,
  ScreeningEntryRepository,
  type ImportDuplicate,
  type ScreeningEntryEntity,
} from '@libs/persistence';
import { parseCslCsv, type ImportRowError } from '@libs/screening/csl-csv';
import { MATCH_THRESHOLD } from '@libs/screening/matcher';
import { ScreeningService } from '@libs/screening/screening.service';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { changeReasonOf } from '../common/change-reason';
import { DomainError } from '../common/domain-error';
import { validateBody } from '../common/validate-body';
import {
  CheckNameDto,
  CreateEntryDto,
  ImportQueryDto,
  ListEntriesQueryDto,
  RemoveEntryDto,
  UpdateEntryDto,
} from './screening.dto';

export interface EntryView {
  id: string;
  name: string;
  aliases: string[];
  country: string | null;
  source: string;
  externalId: string | null;
  createdAt: string;
  /** Only on a removed entry (listed with includeRemoved=true): when, by whom and why. */
  removal?: { at: string; by: string | null; reason: string | null };
}

export interface ImportReport {
  /** Entries stored. */
  imported: number;
  /** Rows left out because of errors or as duplicates (each listed in `errors`). */
  skipped: number;
  /** Entries deleted because their source was re-imported (mode `replace`). */
  replaced: number;
  errors: ImportRowError[];
}

export interface CheckHit {
  score: number;
  matchedName: string;
  countryMatch: boolean | null;
  entry: RestrictedParty;
}

function toEntryView(e: ScreeningEntryEntity): EntryView {
  return {
    id: e.id,
    name: e.name,
    aliases: e.aliases ?? [],
    country: e.country,
    source: e.source,
    externalId: e.externalId,
    createdAt: e.createdAt,
    ...(e.removedAt ? { removal: { at: e.removedAt, by: e.removedBy, reason: e.removalReason } } : {}),
  };
}

/** An entry as the people who keep the list name it: "ACME Quantum Research Institute (CN, CSL)". */
export function entryInWords(e: { name: string; country: string | null; source: string }): string {
  return `${e.name} (${e.country ? `${e.country}, ` : ''}${e.source})`;
}

/** The 409 of a duplicate: the entry already on the list, by id and name, and the refusal code. */
function duplicateRefused(error: DuplicateScreeningEntryError): DomainError {
  const e = error.existing;
  return new DomainError('SCREENING_ENTRY_DUPLICATE', `Already on the list: ${entryInWords(e)}`, undefined, {
    existing: { id: e.id, name: e.name, country: e.country, source: e.source },
  });
}

function removedRefused(error: RemovedScreeningEntryError): DomainError {
  return new DomainError(
    'SCREENING_ENTRY_REMOVED',
    `${entryInWords(error.entry)} was removed from the list on ${error.entry.removedAt}; add it again instead`,
  );
}

/** The repository's refusals as the API's. */
function refusedWrite(error: unknown): unknown {
  if (error instanceof DuplicateScreeningEntryError) return duplicateRefused(error);
  if (error instanceof RemovedScreeningEntryError) return removedRefused(error);
  return error;
}

/** An import row left out as a duplicate, in the row-by-row report. */
function duplicateRow(d: ImportDuplicate): ImportRowError {
  const what = entryInWords(d.of);
  return {
    row: d.row ?? 0,
    field: 'name',
    message: d.of.id
      ? `duplicate of ${what}, already on the list (entry ${d.of.id}); not imported`
      : `duplicate of ${what} in row ${d.of.row}; not imported`,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notFound = () => new DomainError('NOT_FOUND', 'no such entry on the restricted-party list');

function encodeCursor(e: ScreeningEntryEntity): string {
  return Buffer.from(JSON.stringify([e.name, e.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const [name, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof name === 'string' && typeof id === 'string') return { name, id };
  } catch {
    // falls through to the validation error
  }
  throw DomainError.validation([{ field: 'cursor', messages: ['cursor is not one this API gave out'] }]);
}

function trimmedOrNull(value: string | null | undefined): string | null {
  return value?.trim() || null;
}

/** The restricted-party list: admins maintain it, auditors read it; both can try a name against it. */
@ApiTags('screening')
@ApiBearerAuth()
@Controller('api/screening')
export class ScreeningController {
  constructor(
    private readonly entries: ScreeningEntryRepository,
    private readonly screening: ScreeningService,
  ) {}

  @Get('entries')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Entries of the restricted-party list in name order; q searches names and aliases' })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'source', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({
    name: 'includeRemoved',
    required: false,
    enum: ['true', 'false'],
    description: 'true lists removed entries too, each with its `removal` (when, by whom, why)',
  })
  async list(@Query() query: Record<string, unknown>): Promise<{ items: EntryView[]; nextCursor: string | null }> {
    const q = validateBody(ListEntriesQueryDto, query);
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (limit < 1 || limit > 200) {
      throw DomainError.validation([{ field: 'limit', messages: ['limit must be a whole number from 1 to 200'] }]);
    }
    const rows = await this.entries.list({
      q: q.q?.trim() || undefined,
      source: q.source,
      limit: limit + 1,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
      includeRemoved: q.includeRemoved === 'true',
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toEntryView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  @Get('entries/:id')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'One entry, removed or not (a removed one carries its `removal`)' })
  @ApiParam({ name: 'id' })
  async get(@Param('id') id: string): Promise<EntryView> {
    const entry = UUID.test(id) ? await this.entries.findById(id.toLowerCase()) : null;
    if (!entry) throw notFound();
    return toEntryView(entry);
  }

  @Post('entries')
  @Roles('admin')
  @ApiOperation({
    summary: 'Add one entry to the list',
    description:
      "An entry's identity is its name as the matcher normalises it (case, punctuation, word order, abbreviations, " +
      'legal forms) + country + source: adding one that is already on the list answers 409 ' +
      '`SCREENING_ENTRY_DUPLICATE` with the entry already there as `existing` {id, name, country, source}.',
  })
  @ApiBody({ type: CreateEntryDto })
  async create(@CurrentPerson() person: Person, @Body() body: unknown): Promise<EntryView> {
    const dto = validateBody(CreateEntryDto, body);
    const name = dto.name.trim();
    const aliases = [...new Set((dto.aliases ?? []).map((a) => a.trim()))].filter((a) => a !== name);
    const entity = await this.entries
      .create(
        {
          name,
          aliases,
          country: trimmedOrNull(dto.country)?.toUpperCase() ?? null,
          source: dto.source.trim(),
          externalId: trimmedOrNull(dto.externalId),
        },
        new Date().toISOString(),
        { actor: person.email },
      )
      .catch((error: unknown) => {
        throw refusedWrite(error);
      });
    return toEntryView(entity);
  }

  @Patch('entries/:id')
  @Roles('admin')
  @ApiOperation({
    summary: "Edit an entry's name, country or source, with a reason (audited: who, when, before → after, why)",
    description:
      '`reason` is required (400 naming it). 404 for an unknown entry; 409 `SCREENING_ENTRY_DUPLICATE` when the ' +
      'edit would make it an entry already on the list; 409 `SCREENING_ENTRY_REMOVED` for a removed entry.',
  })
  @ApiParam({ name: 'id' })
  @ApiBody({ type: UpdateEntryDto })
  async update(@CurrentPerson() person: Person, @Param('id') id: string, @Body() body: unknown): Promise<EntryView> {
    const dto = validateBody(UpdateEntryDto, body);
    if (!UUID.test(id)) throw notFound();
    const changes = {
      ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
      ...(dto.country !== undefined ? { country: trimmedOrNull(dto.country)?.toUpperCase() ?? null } : {}),
      ...(dto.source !== undefined ? { source: dto.source.trim() } : {}),
    };
    if (Object.keys(changes).length === 0) {
      throw DomainError.validation([
        { field: 'name', messages: ['give at least one of name, country and source to change'] },
      ]);
    }
    const written = await this.entries
      .update(id.toLowerCase(), changes, {
        now: new Date().toISOString(),
        actor: person.email,
        reason: dto.reason.trim(),
      })
      .catch((error: unknown) => {
        throw refusedWrite(error);
      });
    if (!written) throw notFound();
    return toEntryView(written.after);
  }

  @Delete('entries/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Remove an entry, with a reason: it no longer matches and stays readable (audited)',
    description:
      'The reason goes in the JSON body `{"reason": "…"}` or in the `X-Change-Reason` header (UTF-8, ' +
      'percent-encoded where not ASCII); one of them is required (400 naming `reason`). Answers 200 with the ' +
      'entry and its `removal`. 404 for an unknown entry; 409 `SCREENING_ENTRY_REMOVED` when already removed.',
  })
  @ApiParam({ name: 'id' })
  @ApiBody({ type: RemoveEntryDto, required: false })
  @ApiHeader({ name: 'X-Change-Reason', required: false, description: 'The reason, instead of the body' })
  async remove(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('x-change-reason') reasonHeader?: string,
  ): Promise<EntryView> {
    const dto = validateBody(RemoveEntryDto, body ?? {});
    const reason = dto.reason?.trim() || changeReasonOf(reasonHeader);
    if (!reason) {
      throw DomainError.validation([
        { field: 'reason', messages: ['reason is required: say why the entry is removed (body or X-Change-Reason)'] },
      ]);
    }
    if (!UUID.test(id)) throw notFound();
    const removed = await this.entries
      .remove(id.toLowerCase(), { now: new Date().toISOString(), actor: person.email, reason })
      .catch((error: unknown) => {
        throw refusedWrite(error);
      });
    if (!removed) throw notFound();
    return toEntryView(removed);
  }

  @Post('import')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Import a list in the CSV layout of the US Consolidated Screening List',
    description:
      'Good rows are imported and bad rows reported ({row, field, message}; the header is row 1). ' +
      'mode=replace (default) first removes every entry of the sources in the file; mode=append only adds. ' +
      'A row whose entry is already on the list (same normalised name, country and source) or earlier in the ' +
      'file is not stored and is reported as "duplicate of …". ' +
      'A file without the required columns or with broken quoting is refused whole (400).',
  })
  @ApiConsumes('text/csv')
  @ApiQuery({ name: 'mode', required: false, enum: ['replace', 'append'] })
  @ApiBody({ schema: { type: 'string', example: '_id,source,entity_number,type,programs,name,…' } })
  async import(
    @CurrentPerson() person: Person,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ): Promise<ImportReport> {
    const { mode } = validateBody(ImportQueryDto, query);
    if (typeof body !== 'string') {
      throw new UnsupportedMediaTypeException('send the list as the request body with Content-Type: text/csv');
    }
    const parsed = parseCslCsv(body);
    if (!parsed.readable) {
      throw DomainError.validation(
        parsed.errors.map((e) => ({ field: e.field, messages: [`row ${e.row}: ${e.message}`] })),
      );
    }
    const stored = await this.entries.importEntries(parsed.entries, {
      mode: mode ?? 'replace',
      now: new Date().toISOString(),
      actor: person.email,
    });
    const errors = [...parsed.errors, ...stored.duplicates.map(duplicateRow)].sort((a, b) => a.row - b.row);
    return {
      imported: stored.imported,
      skipped: parsed.skipped + stored.duplicates.length,
      replaced: stored.replaced,
      errors,
    };
  }

  @Post('check')
  @HttpCode(200)
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Screen one name against the list: the entries it hits, best first, with scores' })
  @ApiBody({ type: CheckNameDto })
  async check(
    @Body() body: unknown,
  ): Promise<{ name: string; country: string | null; threshold: number; hits: CheckHit[] }> {
    const dto = validateBody(CheckNameDto, body);
    const name = dto.name.trim();
    const country = trimmedOrNull(dto.country)?.toUpperCase() ?? null;
    const matches = await this.screening.check(name, country);
    return {
      name,
      country,
      threshold: MATCH_THRESHOLD,
      hits: matches.map((m) => ({
        score: m.score,
        matchedName: m.matchedName,
        countryMatch: m.countryMatch,
        entry: m.entry,
      })),
    };
  }
}
