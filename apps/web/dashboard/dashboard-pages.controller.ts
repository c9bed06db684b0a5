import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../api/auth/auth.decorators';
import type { Dashboard, Series } from '../../api/reports/reports.service';
import { PageExceptionFilter } from '../page.filter';
import { Pages } from '../pages';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { query, WebApi } from '../web-api';

/** JSON for a `<script type="application/json">`: no `<` can end the element early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The days with any request, with each series' count that day and the day's total. */
function perDayTable(days: string[], series: Series[]) {
  return {
    keys: series.map((s) => s.key),
    rows: days
      .map((day, i) => ({
        day,
        counts: series.map((s) => s.counts[i]),
        total: series.reduce((sum, s) => sum + s.counts[i], 0),
      }))
      .filter((row) => row.total > 0),
    totals: series.map((s) => ({ key: s.key, total: s.counts.reduce((a, b) => a + b, 0) })),
    grand: series.reduce((sum, s) => sum + s.counts.reduce((a, b) => a + b, 0), 0),
  };
}

/** Auditors' and admins' overview, drawn with Chart.js from data embedded in the page, with the same numbers as tables. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@PageRoles('auditor', 'admin')
@Controller('app/dashboard')
export class DashboardPagesController {
  constructor(private readonly pages: Pages) {}

  @Get()
  async dashboard(@Req() req: PageRequest, @Res() res: Response, @Query('days') days?: unknown): Promise<void> {
    const data = await new WebApi(req).get<Dashboard>(
      `/api/reports/dashboard${query({ days: typeof days === 'string' ? days : undefined })}`,
    );
    const window = data.days.length;
    this.pages.send(req, res, 'dashboard', 'Dashboard', {
      scripts: ['chart.umd.min.js', 'dashboard.js'],
      data: {
        d: data,
        window,
        first: data.days[0],
        last: data.days[window - 1],
        dataJson: scriptJson(data),
        byStatus: perDayTable(data.days, data.requests.byStatus),
        byType: perDayTable(data.days, data.requests.byType),
        slowest: data.decisionTimes.reduce<string | null>(
          (worst, t) =>
            worst === null || t.medianHours > data.decisionTimes.find((w) => w.party === worst)!.medianHours
              ? t.party
              : worst,
          null,
        ),
      },
    });
  }
}
