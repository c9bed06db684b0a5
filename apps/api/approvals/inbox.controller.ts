import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiTags, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsUUID, ValidateNested } from 'class-validator';
import type { Person } from '../../../libs/domain/person';
import { PARTIES, REQUEST_TYPES, type Party } from '../../../libs/domain/vocabulary';
import { RequestRepository } from '../../../libs/persistence';
import { CurrentPerson } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { validateBody } from '../common/validate-body';
import { DecisionDto } from '../requests/request.dto';
import { RequestsService } from '../requests/requests.service';

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
    private readonly requests: RequestRepository,
    private readonly service: RequestsService,
  ) {}

  @Get('inbox')
  @ApiOperation({
    summary:
      "Approvals awaiting the caller's parties (and those of approvers they stand in for), oldest first, with counts",
  })
  async inbox(
    @CurrentPerson() person: Person,
    @Query('party') party?: string,
    @Query('type') type?: string,
    @Query('destination') destination?: string,
  ) {
    const problems = [
      ...(party !== undefined && !PARTIES.includes(party as Party)
        ? [{ field: 'party', messages: [`party must be one of: ${PARTIES.join(', ')}`] }]
        : []),
      ...(type !== undefined && !(REQUEST_TYPES as readonly string[]).includes(type)
        ? [{ field: 'type', messages: [`type must be one of: ${REQUEST_TYPES.join(', ')}`] }]
        : []),
      ...(destination !== undefined && !/^[A-Za-z]{2}$/.test(destination)
        ? [{ field: 'destination', messages: ['destination must be an ISO 3166-1 alpha-2 country code'] }]
        : []),
    ];
    if (problems.length > 0) throw DomainError.validation(problems);

    const own = new Set(person.parties.map((m) => m.party));
    const standIns = await this.service.standingInFor(person);
    const parties = (await this.service.partiesOf(person)).filter((p) => !party || p === party);
    const rows = (await this.requests.inbox(parties, person.email)).filter(
      (row) =>
        (!type || row.request.type === type) &&
        (!destination || row.request.destinationCountry === destination.toUpperCase()) &&
        // A quorum party still pending lists the request only for those who have not approved it yet.
        !row.approval.approvedBy.some((v) => v.by === person.email || v.onBehalfOf === person.email),
    );
    const counts = Object.fromEntries(parties.map((p) => [p, rows.filter((row) => row.approval.party === p).length]));
    return {
      items: rows.map(({ request, approval }) => ({
        requestId: request.id,
        party: approval.party,
        onBehalfOf: own.has(approval.party as Party)
          ? null
          : (standIns.find((p) => p.parties.some((m) => m.party === approval.party))?.email ?? null),
        stageIndex: approval.stageIndex,
        reasons: approval.reasons,
        quorum: approval.quorum,
        approvals: approval.approvedBy.length,
        type: request.type,
        requester: { email: request.requesterEmail, tier: request.requesterTier },
        destinationCountry: request.destinationCountry,
        departureDate: request.departureDate,
        returnDate: request.returnDate,
        purpose: request.purpose,
        screeningHits: request.screeningHits.length,
        submittedAt: request.createdAt,
      })),
      counts,
      total: rows.length,
    };
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
