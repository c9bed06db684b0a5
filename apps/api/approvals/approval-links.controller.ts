import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Header, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LinkTokenError, LinkTokens, type LinkClaims } from '../../../libs/crypto';
import { isMemberOf, type Person } from '../../../libs/domain/person';
import { Mailer, renderNotice } from '../../../libs/mail';
import {
  DelegationRepository,
  DirectoryRepository,
  RequestRepository,
  StepUpRepository,
} from '../../../libs/persistence';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';
import { DecisionDto } from '../requests/request.dto';
import { toRequestView, type RequestView } from '../requests/request-view';
import { RequestsService } from '../requests/requests.service';
import { decisionPage, messagePage, stepUpPage } from './approval-pages';

type Refused = { status: number; page: string };
type Checked = { claims: LinkClaims; person: Person; view: RequestView; reasons: string[] };

const DONE_WORDS: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  request_changes: 'sent back for changes',
};

/**
 * The page behind the link in an approval email. GET shows the request and a form and records
 * nothing (mail scanners fetch links); POST records the decision. The signed token is the
 * credential: bound to one request, party, recipient and round, expiring, and usable once.
 */
@ApiExcludeController()
@Public()
@Controller('approvals')
export class ApprovalLinksController {
  constructor(
    private readonly tokens: LinkTokens,
    private readonly requests: RequestRepository,
    private readonly delegations: DelegationRepository,
    private readonly stepUp: StepUpRepository,
    private readonly mailer: Mailer,
    private readonly directory: DirectoryRepository,
    private readonly service: RequestsService,
  ) {}

  @Get(':token')
  @Header('Cache-Control', 'no-store')
  async show(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const checked = await this.check(token);
    if ('page' in checked) {
      res.status(checked.status).type('html').send(checked.page);
      return;
    }
    res
      .status(200)
      .type('html')
      .send(decisionPage(checked.view, checked.claims.party, checked.reasons));
  }

  @Post(':token')
  @Header('Cache-Control', 'no-store')
  async decide(
    @Param('token') token: string,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const checked = await this.check(token);
    if ('page' in checked) {
      res.status(checked.status).type('html').send(checked.page);
      return;
    }
    const conditions =
      typeof body?.conditions === 'string'
        ? body.conditions
            .split(/\r?\n/)
            .map((c) => c.trim())
            .filter(Boolean)
        : undefined;
    const { value, fields } = collectErrors(DecisionDto, {
      party: checked.claims.party,
      decision: body?.decision,
      ...(typeof body?.comment === 'string' && body.comment.trim() ? { comment: body.comment } : {}),
      ...(conditions?.length ? { conditions } : {}),
    });
    const missingComment = value.decision !== 'approve' && !value.comment?.trim();
    if (fields.length > 0 || missingComment) {
      const problems =
        fields.length > 0
          ? fields.flatMap((f) => f.messages).join('; ')
          : 'a comment is required to reject or request changes';
      res
        .status(400)
        .type('html')
        .send(
          messagePage('Nothing was recorded', `${problems}. Go back and try again.`, {
            error: true,
            view: checked.view,
          }),
        );
      return;
    }
    // Step-up for custody: a passport release decided from an email link is confirmed with a code.
    let via: 'email' | 'email-otp' = 'email';
    if (checked.view.type === 'passport_release') {
      const code = typeof body?.code === 'string' ? body.code : '';
      if (!code) {
        const issued = await this.stepUp.issue(token);
        await this.mailer.send({
          to: checked.person.email,
          messageId: `<step-up-${randomUUID()}@clearance>`,
          ...renderNotice('[Clearance] Your confirmation code', 'Confirm your custody decision', [
            `Your one-time code is ${issued}. It expires in 10 minutes and works once.`,
            'If you did not just decide on a passport release in Clearance, tell security.',
          ]),
        });
        res
          .status(200)
          .type('html')
          .send(
            stepUpPage(checked.view, checked.claims.party, {
              decision: value.decision,
              comment: value.comment ?? '',
              conditions: (value.conditions ?? []).join('\n'),
            }),
          );
        return;
      }
      const outcome = await this.stepUp.check(token, code);
      if (outcome !== 'ok') {
        const text = {
          wrong: 'That code is not right. Nothing was recorded; go back and try again.',
          expired: 'That code has expired. Nothing was recorded; open the link again for a new code.',
          locked: 'Too many wrong codes. Nothing was recorded; open the link again for a new code.',
          missing: 'No code was sent for this link. Nothing was recorded; open the link again.',
        }[outcome];
        res
          .status(outcome === 'wrong' ? 400 : 403)
          .type('html')
          .send(messagePage('Not confirmed', text, { error: true, view: checked.view }));
        return;
      }
      via = 'email-otp';
    }
    try {
      const view = await this.service.decide(checked.person, checked.claims.requestId, value, via, {
        onBehalfOf: checked.claims.onBehalfOf ?? null,
      });
      res
        .status(200)
        .type('html')
        .send(
          messagePage(
            'Decision recorded',
            `You ${DONE_WORDS[value.decision]} this request for ${checked.claims.party}. The request is now ${view.status}.`,
            { view },
          ),
        );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const status = error.status === 409 ? 409 : error.status;
      const page = error.status === 409 ? await this.alreadyDecidedPage(checked.claims) : undefined;
      res
        .status(status)
        .type('html')
        .send(page ?? messagePage('Nothing was recorded', error.message, { error: true, view: checked.view }));
    }
  }

  private async check(token: string): Promise<Refused | Checked> {
    let claims: LinkClaims;
    try {
      claims = await this.tokens.verify(token);
    } catch (error) {
      const expired = error instanceof LinkTokenError && error.problem === 'expired';
      return {
        status: expired ? 410 : 400,
        page: expired
          ? messagePage(
              'This link has expired',
              'Approval links expire. Nothing was recorded. Open the request from your inbox instead.',
              { error: true },
            )
          : messagePage(
              'This link is not valid',
              'The link is damaged or was not issued by Clearance. Nothing was recorded.',
              { error: true },
            ),
      };
    }
    const stored = await this.requests.findById(claims.requestId);
    const person = await this.directory.findPerson(claims.recipient);
    const approval = stored?.approvals.find((a) => a.party === claims.party);
    if (!stored || !approval || !person) {
      return { status: 404, page: messagePage('Request not found', 'This request no longer exists.', { error: true }) };
    }
    const principal = claims.onBehalfOf ? await this.directory.findPerson(claims.onBehalfOf) : person;
    if (!principal || !isMemberOf(principal, claims.party)) {
      const who = claims.onBehalfOf ? `${claims.onBehalfOf} is` : 'You are';
      return {
        status: 403,
        page: messagePage('Not allowed', `${who} no longer a member of ${claims.party}. Nothing was recorded.`, {
          error: true,
        }),
      };
    }
    if (claims.onBehalfOf) {
      const delegation = await this.delegations.activeFor(claims.onBehalfOf, new Date().toISOString().slice(0, 10));
      if (delegation?.delegateEmail !== person.email) {
        return {
          status: 403,
          page: messagePage(
            'Delegation ended',
            `You no longer stand in for ${claims.onBehalfOf}. Nothing was recorded.`,
            { error: true },
          ),
        };
      }
    }
    const view = toRequestView(stored);
    if (approval.status !== 'pending' || stored.request.status !== 'pending') {
      return { status: 409, page: await this.alreadyDecidedPage(claims) };
    }
    if (stored.request.round !== claims.round) {
      return {
        status: 410,
        page: messagePage(
          'This link was replaced',
          'The request was amended since this email was sent; use the link in the newer email.',
          { error: true, view },
        ),
      };
    }
    return { claims, person, view, reasons: approval.reasons };
  }

  private async alreadyDecidedPage(claims: LinkClaims): Promise<string> {
    const stored = await this.requests.findById(claims.requestId);
    const approval = stored?.approvals.find((a) => a.party === claims.party);
    const view = stored ? toRequestView(stored) : undefined;
    if (approval?.decidedBy) {
      const at = approval.decidedAt ? ` on ${approval.decidedAt.slice(0, 16).replace('T', ' ')} UTC` : '';
      const words =
        { approved: 'approved', rejected: 'rejected', changes_requested: 'requested changes to' }[approval.status] ??
        approval.status;
      return messagePage(
        'Already decided',
        `Already decided by ${approval.decidedBy}${at}: ${words} for ${claims.party}. Nothing was recorded.`,
        { error: true, view },
      );
    }
    return messagePage(
      'No longer awaiting a decision',
      `This request is ${stored?.request.status ?? 'closed'}; ${claims.party} is not awaiting a decision. Nothing was recorded.`,
      { error: true, view },
    );
  }
}
