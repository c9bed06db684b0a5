import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { AuditHistoryService } from './audit-history.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestId(id: string): string {
  if (!UUID.test(id)) throw new DomainError('NOT_FOUND', `request ${id.slice(0, 64)} not found`);
  return id.toLowerCase();
}

@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('api/audit/requests')
export class AuditHistoryController {
  constructor(private readonly audit: AuditHistoryService) {}

  @Get(':id/history')
  @ApiOperation({ summary: "The request's workflow history as Temporal's standard JSON export (archive or live)" })
  async history(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const { json, source, sha256 } = await this.audit.history(requestId(id));
    res.setHeader('X-History-Source', source);
    if (sha256) res.setHeader('X-History-SHA256', sha256);
    res.type('json').send(json);
  }

  @Get(':id/evidence')
  @ApiOperation({ summary: 'Evidence pack (zip): history, rebuilt trail, records, chain proof, hashes, code version' })
  async evidence(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const zip = await this.audit.evidence(requestId(id));
    res.setHeader('Content-Disposition', `attachment; filename="evidence-${requestId(id)}.zip"`);
    res.type('application/zip').send(zip);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay the history against the current workflow code and match the rebuilt trail with the records',
  })
  replay(@Param('id') id: string) {
    return this.audit.replay(requestId(id));
  }
}
