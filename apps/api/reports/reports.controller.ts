import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { ReportsService, type Dashboard } from './reports.service';

/** Figures for auditors and admins: what was asked, how fast it was decided, what is late. */
@ApiTags('reports')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('dashboard')
  @ApiOperation({
    summary:
      'Requests per day by status and type, median and p90 hours to decision per party, overdue approvals and obligations, screening hits',
  })
  @ApiQuery({ name: 'days', required: false, description: 'the window of the per-day series, 1 to 366, default 30' })
  dashboard(@Query('days') days?: unknown): Promise<Dashboard> {
    let window = 30;
    if (days !== undefined) {
      if (typeof days !== 'string' || !/^\d{1,3}$/.test(days) || Number(days) < 1 || Number(days) > 366) {
        throw DomainError.validation([{ field: 'days', messages: ['days must be a whole number from 1 to 366'] }]);
      }
      window = Number(days);
    }
    return this.reports.dashboard(window);
  }
}
