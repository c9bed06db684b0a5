import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../api/auth/auth.decorators';
import type { DelegationView } from '../../api/delegation/delegation.service';
import { PageExceptionFilter } from '../page.filter';
import { ApiRefusal, messagesByField, type ApiErrorBody } from '../page-errors';
import { Pages } from '../pages';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { WebApi } from '../web-api';
import { one } from '../form-values';

type Form = Record<string, unknown>;

interface Values {
  delegateEmail: string;
  from: string;
  until: string;
}

const FIELDS = ['delegateEmail', 'from', 'until'] as const;

const NOTICES: Record<string, string> = {
  set: 'Your delegation was saved. Your stand-in receives your approval emails in that period.',
  removed: 'Your delegation was removed.',
};

/** An approver's stand-in while away: see, set or end it (the API checks the rules: no chains, no past dates). */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@PageRoles('approver')
@Controller('app/delegation')
export class DelegationPagesController {
  constructor(private readonly pages: Pages) {}

  @Get()
  async show(@Req() req: PageRequest, @Res() res: Response, @Query('done') done?: unknown): Promise<void> {
    await this.render(req, res, { notice: NOTICES[one(done)] ?? null });
  }

  @Post()
  async set(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const source = form && typeof form === 'object' ? form : {};
    const values: Values = {
      delegateEmail: one(source.delegateEmail).trim(),
      from: one(source.from).trim(),
      until: one(source.until).trim(),
    };
    const answer = await new WebApi(req).send<ApiErrorBody>('PUT', '/api/me/delegation', values);
    if (answer.status === 200) {
      res.redirect(303, '/app/delegation?done=set');
      return;
    }
    if (answer.status === 400 || answer.status === 409) {
      await this.render(req, res, { status: 400, values, error: answer.body });
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  @Post('remove')
  async remove(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    await new WebApi(req).ok('DELETE', '/api/me/delegation');
    res.redirect(303, '/app/delegation?done=removed');
  }

  private async render(
    req: PageRequest,
    res: Response,
    options: { status?: number; notice?: string | null; values?: Values; error?: ApiErrorBody },
  ): Promise<void> {
    const { delegation } = await new WebApi(req).get<DelegationView>('/api/me/delegation');
    const errors = options.error?.errors ?? [];
    const byField = messagesByField(options.error);
    const fieldError = Object.fromEntries(FIELDS.map((field) => [field, byField[field] ?? null]));
    this.pages.send(req, res, 'delegation', 'Delegation', {
      status: options.status ?? 200,
      data: {
        delegation,
        values: options.values ?? { delegateEmail: '', from: '', until: '' },
        errors,
        fieldError,
        problem: options.error && errors.length === 0 ? (options.error.message ?? 'That did not work.') : null,
        notice: options.notice ?? null,
      },
    });
  }
}
