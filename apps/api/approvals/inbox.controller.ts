import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiQuery, ApiTags, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsUUID, isUUID, ValidateNested } from 'class-validator';
import type { Person } from '@libs/domain/person';
import { PARTIES, REQUEST_TYPES, type Party } from '@libs/domain/vocabulary';
import { CurrentPerson } from '../auth/auth.decorators';
import { parseLimit } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import { validateBody } from '../common/validate-body';
import { DecisionDto } from '../requests/request.dto';
import { RequestsService } from '../requests/requests.service';
import { InboxService } from './inbox.service';

class BulkItemDto {
  @ApiProperty()
  @IsUUID('all', { message: 'requestId must be the id of a request' })
  requestId!: string;

  @ApiProperty({ enum: PARTIES })
  @IsIn(PARTIES, { message: `party must be one of: ${PARTIES.join(', ')}` })
  party!: Party;
}

/** The comment and conditions of a single decision, with the same rules; the decision is approve or reject. */
export class BulkDecisionDto extends PickType(DecisionDto, ['comment', 'conditions'] as const) {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'], { message: 'decision must be approve or reject' })
  decision!: 'approve' | 'reject';

  @ApiProperty({ type: [BulkItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => BulkItemDto)
  items!: BulkItemDto[];
}

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('api/approvals')
export class InboxController {
  constructor(
    private readonly inboxes: InboxService,
    private readonly service: RequestsService,
  ) {}

  @Get('inbox')
  @ApiOperation({
    summary:
      "Approvals awaiting the caller's parties (and those of approvers they stand in for), newest first (oldest first with order=oldest; soonest due first with sort=due), a page at a time, with counts",
  })
  @ApiQuery({ name: 'party', required: false, enum: PARTIES })
  @ApiQuery({ name: 'type', required: false, enum: REQUEST_TYPES })
  @ApiQuery({ name: 'destination', required: false, description: 'ISO 3166-1 alpha-2 country code' })
  @ApiQuery({ name: 'requestId', required: false, description: 'only the approvals of this request' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 100, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page (of the same order)' })
  @ApiQuery({
    name: 'order',
    required: false,
    enum: ['newest', 'oldest'],
    description: 'newest first (default) or oldest first, by submission (sort=submitted)',
  })
  @ApiQuery({
    name: 'sort',
    required: false,
    enum: ['submitted', 'due'],
    description:
      'submitted (default: by submission, in `order`) or due: soonest due first (the first reminder or escalation), across pages',
  })
  async inbox(@CurrentPerson() person: Person, @Query() query: Record<string, unknown>) {
    const { party, type, destination, requestId, cursor, order, sort } = query;
    for (const [field, value] of Object.entries({ party, type, destination, requestId, cursor, order, sort })) {
      if (value !== undefined && typeof value !== 'string') {
        throw DomainError.validation([{ field, messages: [`${field} must be given at most once`] }]);
      }
    }
    const limit = parseLimit(query.limit, 50);
    const problems = [
      ...(party !== undefined && !PARTIES.includes(party as Party)
        ? [{ field: 'party', messages: [`party must be one of: ${PARTIES.join(', ')}`] }]
        : []),
      ...(type !== undefined && !(REQUEST_TYPES as readonly string[]).includes(type as string)
        ? [{ field: 'type', messages: [`type must be one of: ${REQUEST_TYPES.join(', ')}`] }]
        : []),
      ...(destination !== undefined && !/^[A-Za-z]{2}$/.test(destination as string)
        ? [{ field: 'destination', messages: ['destination must be an ISO 3166-1 alpha-2 country code'] }]
        : []),
      ...(order !== undefined && order !== 'newest' && order !== 'oldest'
        ? [{ field: 'order', messages: ['order must be newest or oldest'] }]
        : []),
      ...(sort !== undefined && sort !== 'submitted' && sort !== 'due'
        ? [{ field: 'sort', messages: ['sort must be submitted or due'] }]
        : []),
      ...(requestId !== undefined && !isUUID(requestId)
        ? [{ field: 'requestId', messages: ['requestId must be the id of a request'] }]
        : []),
    ];
    if (problems.length > 0) throw DomainError.validation(problems);
    return this.inboxes.inbox(person, {
      party: party as Party | undefined,
      type: type as string | undefined,
      destination: destination as string | undefined,
      requestId: (requestId as string | undefined)?.toLowerCase(),
      limit,
      cursor: (cursor as string | undefined) || undefined,
      order: order as 'newest' | 'oldest' | undefined,
      sort: sort as 'submitted' | 'due' | undefined,
    });
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve or reject several approvals at once; each item is checked and answered on its own',
  })
  @ApiBody({ type: BulkDecisionDto })
  async bulk(@CurrentPerson() person: Person, @Body() body: unknown) {
    const dto = validateBody(BulkDecisionDto, body);
    if (dto.decision === 'reject' && !dto.comment?.trim()) {
      throw DomainError.validation([{ field: 'comment', messages: ['comment is required to reject (the reason)'] }]);
    }
    const results = [];
    for (const item of dto.items) {
      try {
        const view = await this.service.decide(
          person,
          item.requestId.toLowerCase(),
          { party: item.party, decision: dto.decision, comment: dto.comment, conditions: dto.conditions },
          'bulk',
        );
        results.push({ requestId: item.requestId, party: item.party, status: 200, requestStatus: view.status });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({
          requestId: item.requestId,
          party: item.party,
          status: error.status,
          code: error.code,
          message: error.message,
        });
      }
    }
    return {
      decided: results.filter((r) => r.status === 200).length,
      refused: results.filter((r) => r.status !== 200).length,
      results,
    };
  }
}
