import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditLogRepository, parseChainHead, type ChainVerification } from '@libs/persistence';
import { Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';

/** The tamper-evident audit log, for auditors: is the hash chain intact, and if not, which rows? */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('api/audit/chain')
export class AuditChainController {
  constructor(private readonly auditLog: AuditLogRepository) {}

  @Get('verify')
  @ApiOperation({
    summary: 'Walk the audit log hash chain; 200 with ok false and the problems (changed, deleted, reordered rows)',
  })
  @ApiQuery({
    name: 'head',
    required: false,
    description: 'An exported head `<seq>:<hash>` the chain must still reach unchanged',
  })
  async verify(@Query('head') head?: string): Promise<ChainVerification> {
    // a repeated ?head= arrives as an array
    const expectedHead = head === undefined ? undefined : typeof head === 'string' ? parseChainHead(head) : null;
    if (expectedHead === null) {
      throw DomainError.validation([{ field: 'head', messages: ['must be <seq>:<64 hex characters>'] }]);
    }
    return this.auditLog.verify({ expectedHead });
  }
}
