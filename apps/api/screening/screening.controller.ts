import { Body, Controller, Get, HttpCode, Post, Query, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { RestrictedParty } from '@libs/domain/screening';
import type { Person } from '@libs/domain/person';
import { ScreeningEntryRepository, type ScreeningEntryEntity } from '@libs/persistence';
import { parseCslCsv, type ImportRowError } from '@libs/screening/csl-csv';
import { MATCH_THRESHOLD } from '@libs/screening/matcher';
import { ScreeningService } from '@libs/screening/screening.service';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { validateBody } from '../common/validate-body';
import { CheckNameDto, CreateEntryDto, ImportQueryDto, ListEntriesQueryDto } from './screening.dto';

export interface EntryView {
  id: string;
  name: string;
  aliases: string[];
  country: string | null;
  source: string;
  externalId: string | null;
  createdAt: string;
}

export interface ImportReport {
  /** Entries stored. */
  imported: number;
  /** Rows left out because of errors (each listed in `errors`). */
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
  };
}

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
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toEntryView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  @Post('entries')
  @Roles('admin')
  @ApiOperation({ summary: 'Add one entry to the list' })
  @ApiBody({ type: CreateEntryDto })
  async create(@CurrentPerson() person: Person, @Body() body: unknown): Promise<EntryView> {
    const dto = validateBody(CreateEntryDto, body);
    const name = dto.name.trim();
    const aliases = [...new Set((dto.aliases ?? []).map((a) => a.trim()))].filter((a) => a !== name);
    const entity = await this.entries.create(
      {
        name,
        aliases,
        country: trimmedOrNull(dto.country)?.toUpperCase() ?? null,
        source: dto.source.trim(),
        externalId: trimmedOrNull(dto.externalId),
      },
      new Date().toISOString(),
      { actor: person.email },
    );
    return toEntryView(entity);
  }

  @Post('import')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Import a list in the CSV layout of the US Consolidated Screening List',
    description:
      'Good rows are imported and bad rows reported ({row, field, message}; the header is row 1). ' +
      'mode=replace (default) first deletes every entry of the sources in the file; mode=append only adds. ' +
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
    return { imported: stored.imported, skipped: parsed.skipped, replaced: stored.replaced, errors: parsed.errors };
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
