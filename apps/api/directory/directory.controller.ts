import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags, ApiHeader } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Person } from '@libs/domain/person';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { validateBody } from '../common/validate-body';
import { CSV_COLUMNS } from './directory-csv';
import { changeReasonOf } from '../common/change-reason';
import { ImportQueryDto, ListPeopleQueryDto, parsePersonInput, PutPersonDto } from './directory.dto';
import { DirectoryService, type ImportReport } from './directory.service';

const CSV_EXAMPLE = [
  CSV_COLUMNS.join(','),
  'alice@example.com,Alice Kim,core,employee,dave@example.com,,,false,',
  'legal-lead@example.com,Lars Gunnarsson,,approver,,legal;security,legal,true,2031-06-30',
].join('\n');

/** Personnel directory administration: admins change it, auditors read it. */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('api/directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get('people')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'People of the directory by email, filtered, paged with limit and cursor' })
  @ApiQuery({ name: 'q', required: false, description: 'part of the email or the name' })
  @ApiQuery({ name: 'tier', required: false, description: 'a tier, or none' })
  @ApiQuery({ name: 'party', required: false })
  @ApiQuery({ name: 'role', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  async list(@Query() query: Record<string, unknown>) {
    const q = validateBody(ListPeopleQueryDto, query);
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (limit < 1 || limit > 200) {
      throw DomainError.validation([{ field: 'limit', messages: ['limit must be a whole number from 1 to 200'] }]);
    }
    return this.directory.list({ q: q.q, tier: q.tier, party: q.party, role: q.role, limit, cursor: q.cursor });
  }

  @Get('people/:email')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'One person of the directory' })
  async get(@Param('email') email: string) {
    return this.directory.get(email);
  }

  @Put('people/:email')
  @Roles('admin')
  @ApiOperation({
    summary: 'Create (201) or replace (200) one person, with flags and party memberships',
    description: 'Applies to requests submitted from now on; submitted requests keep the tier they were filed with.',
  })
  @ApiBody({ type: PutPersonDto })
  @ApiHeader({
    name: 'X-Change-Reason',
    required: false,
    description: 'Why (at most 2000 characters, UTF-8 percent-encoded where not ASCII): kept in the audit entry.',
  })
  async put(
    @CurrentPerson() caller: Person,
    @Param('email') email: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-change-reason') reasonHeader?: string,
  ) {
    const reason = changeReasonOf(reasonHeader);
    const person = parsePersonInput(email, body, caller.email);
    const { view, created } = await this.directory.put(caller, person, reason);
    res.status(created ? 201 : 200);
    return view;
  }

  @Post('import')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Import a directory CSV: every row valid, or nothing imported and every bad row reported',
    description:
      `Columns: ${CSV_COLUMNS.join(',')}; roles, parties and leads are ;-separated lists, leads ⊆ parties. ` +
      'People already in the directory are replaced, people not in the file are kept. 400 with the report ' +
      'when any row is bad; dryRun=true only validates.',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: CSV_EXAMPLE } })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
  async import(
    @CurrentPerson() caller: Person,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportReport | (ImportReport & { statusCode: number; error: string; code: string; message: string })> {
    const q = validateBody(ImportQueryDto, query);
    const isCsv = /^text\/csv\s*(;|$)/i.test(contentType ?? '');
    if (!isCsv) throw new UnsupportedMediaTypeException('send the directory as Content-Type: text/csv');
    // An empty body is not parsed at all: it is an empty file.
    const csv = typeof body === 'string' ? body : '';
    const report = await this.directory.import(caller, csv, q.dryRun === 'true');
    if (report.errors.length === 0) return report;
    res.status(400);
    const bad = new Set(report.errors.map((e) => e.row)).size;
    return {
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: `${bad} row${bad === 1 ? '' : 's'} of the file ${bad === 1 ? 'is' : 'are'} invalid; nothing was imported`,
      ...report,
    };
  }
}
