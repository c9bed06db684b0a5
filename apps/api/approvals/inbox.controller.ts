import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Person } from '../../../libs/domain/person';
import { PARTIES, type Party } from '../../../libs/domain/vocabulary';
import { RequestRepository } from '../../../libs/persistence';
import { CurrentPerson } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('api/approvals')
export class InboxController {
  constructor(private readonly requests: RequestRepository) {}

  @Get('inbox')
  @ApiOperation({ summary: "Approvals awaiting the caller's parties, oldest first, with counts per party" })
  async inbox(@CurrentPerson() person: Person, @Query('party') party?: string, @Query('type') type?: string) {
    if (party !== undefined && !PARTIES.includes(party as Party)) {
      throw DomainError.validation([{ field: 'party', messages: [`party must be one of: ${PARTIES.join(', ')}`] }]);
    }
    const mine = person.parties.map((m) => m.party).filter((p) => !party || p === party);
    const rows = (await this.requests.inbox(mine, person.email)).filter((row) => !type || row.request.type === type);
    const counts = Object.fromEntries(mine.map((p) => [p, rows.filter((row) => row.approval.party === p).length]));
    return {
      items: rows.map(({ request, approval }) => ({
        requestId: request.id,
        party: approval.party,
        stageIndex: approval.stageIndex,
        reasons: approval.reasons,
        type: request.type,
        requester: { email: request.requesterEmail, tier: request.requesterTier },
        destinationCountry: request.destinationCountry,
        departureDate: request.departureDate,
        returnDate: request.returnDate,
        purpose: request.purpose,
        submittedAt: request.createdAt,
      })),
      counts,
      total: rows.length,
    };
  }
}
