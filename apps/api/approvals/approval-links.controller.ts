import { Body, Controller, Get, Header, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { WebSession } from '../../web/session/web-session';
import { Public } from '../auth/auth.decorators';
import { ApprovalLinksService, type LinkDecisionForm, type LinkOutcome } from './approval-links.service';
import { linkOutcomePage } from './approval-pages';

/** The posted form as the service reads it: blank comment and conditions left out, conditions one per line. */
function readForm(body: Record<string, unknown> | undefined): LinkDecisionForm {
  const conditions =
    typeof body?.conditions === 'string'
      ? body.conditions
          .split(/\r?\n/)
          .map((c) => c.trim())
          .filter(Boolean)
      : undefined;
  return {
    decision: body?.decision,
    ...(typeof body?.comment === 'string' && body.comment.trim() ? { comment: body.comment } : {}),
    ...(conditions?.length ? { conditions } : {}),
    code: typeof body?.code === 'string' ? body.code : '',
  };
}

function send(res: Response, outcome: LinkOutcome): void {
  const { status, page } = linkOutcomePage(outcome);
  res.status(status).type('html').send(page);
}

/**
 * The page behind the link in an approval email. GET shows the request and a form and records
 * nothing (mail scanners fetch links); POST records the decision. ApprovalLinksService decides.
 */
@ApiExcludeController()
@Public()
@Controller('approvals')
export class ApprovalLinksController {
  constructor(
    private readonly links: ApprovalLinksService,
    private readonly session: WebSession,
  ) {}

  @Get(':token')
  @Header('Cache-Control', 'no-store')
  async show(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.links.show(token, this.session.token(req)));
  }

  @Post(':token')
  @Header('Cache-Control', 'no-store')
  async decide(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.links.decide(token, readForm(body), this.session.token(req)));
  }
}
