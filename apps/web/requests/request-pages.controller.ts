import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { isWithdrawable } from '@libs/domain/approval-state';
import { earliestFulfilment, recordedByRequester } from '@libs/domain/obligations';
import { isMemberOf } from '@libs/domain/person';
import { REQUEST_STATUSES, type RequestType } from '@libs/domain/vocabulary';
import { Public } from '../../api/auth/auth.decorators';
import {
  approvalStatusShown,
  countryName,
  datesInWords,
  label,
  obligationKindLabel,
  reasonInWords,
} from '@libs/domain/labels';
import { wordedErrors } from '../field-words';
import { decisionPacket, earlierInWords, sinceInWords } from '../../api/requests/decision-packet';
import type { PacketExtras } from '../../api/requests/decision-packet.service';
import type { RequestView } from '../../api/requests/request-view';
import type { TimelineEntry } from '../../api/requests/request-timeline';
import { PageExceptionFilter } from '../page.filter';
import { ApiRefusal, messagesByField, type ApiErrorBody } from '../page-errors';
import { Pages } from '../pages';
import { PeopleNames } from '../people-names';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { passThrough } from '../audit/audit-pages.controller';
import { query, WebApi } from '../web-api';
import type { UploadFormRequest } from './upload-form.middleware';
import { bodyFromForm, formModel, isRequestType, TYPE_CHOICES } from './request-form';
import { lines, one } from '../form-values';

type Form = Record<string, unknown>;

/** A party's request for changes, as the amend form shows it. */
interface Asked {
  party: string;
  by: string | null;
  comment: string;
  at: string | null;
}

interface InboxItem {
  requestId: string;
  party: string;
  onBehalfOf: string | null;
  reasons: string[];
}

const NOTICES: Record<string, string> = {
  submitted: 'Your request was submitted. The parties below have been asked by email.',
  amended: 'Your amended request was sent back to the approvers.',
  withdrawn: 'The request was withdrawn.',
  decided: 'Your decision was recorded.',
  fulfilled: 'Recorded. Thank you.',
  reopened: 'The obligation is open again; the reason is on the timeline.',
  authorization: "The authority's decision was recorded.",
  document: 'The decision document was stored encrypted; its SHA-256 is on the record.',
  material: "The material's file was stored encrypted; data governance can now read it.",
};

/** What was wrong with an uploaded file, in words (`?problem=`). */
const UPLOAD_PROBLEMS: Record<string, string> = {
  type: 'That file is not a PDF or an image (PNG, JPEG or WebP). Save it as a PDF and upload it again.',
  size: 'That file is larger than 10 MB. Make it smaller (for example, save it as a PDF with compressed images) and upload it again.',
  missing: 'Choose a file to upload first.',
  form: 'The upload could not be read. Please try again.',
};

/** Request statuses in which an authorization's progress may still be recorded. */
const RECORDABLE = ['pending', 'changes_requested', 'awaiting_authorization', 'approved'];

/** The employee's pages (list, new request with a live routing preview, amend, withdraw, obligations) and the request detail everyone shares. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@Controller('app/requests')
export class RequestPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly people: PeopleNames,
  ) {}

  @Get()
  async list(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() q: Record<string, string | undefined>,
  ): Promise<void> {
    const isEmployeeOnly = req.person!.roles.every((role) => role === 'employee');
    const mine = q.mine === undefined ? isEmployeeOnly : q.mine === 'true';
    const filters = {
      status: one(q.status) || undefined,
      type: one(q.type) || undefined,
      mine: mine ? 'true' : undefined,
      cursor: one(q.cursor) || undefined,
    };
    const page = await new WebApi(req).get<{ items: RequestView[]; nextCursor: string | null }>(
      `/api/requests${query({ ...filters, limit: 25 })}`,
    );
    const nameOf = await this.people.of(page.items.map((view) => view.requester.email));
    this.pages.send(req, res, 'requests', mine ? 'My requests' : 'Requests', {
      data: {
        heading: mine ? 'My requests' : 'Requests I may read',
        canSubmit: req.person!.roles.includes('employee'),
        items: page.items.map((view) => ({
          ...view,
          ...waitingOn(view),
          title: titleOf(view),
          requesterName: nameOf(view.requester.email),
        })),
        next: page.nextCursor
          ? `/app/requests${query({ ...filters, mine: String(mine), cursor: page.nextCursor })}`
          : null,
        mine,
        statuses: REQUEST_STATUSES.map((value) => ({ value, selected: value === filters.status })),
        types: TYPE_CHOICES.map((t) => ({ ...t, selected: t.type === filters.type })),
        notice: NOTICES[one(q.done)] ?? null,
      },
    });
  }

  @Get('new')
  @PageRoles('employee')
  async newRequest(@Req() req: PageRequest, @Res() res: Response, @Query('type') type?: string): Promise<void> {
    if (!isRequestType(type)) {
      this.pages.send(req, res, 'request-types', 'New request', { data: { types: TYPE_CHOICES } });
      return;
    }
    await this.sendForm(req, res, type, {
      type,
      counterparties: [],
      technologyAreas: [],
      dataCategories: [],
      details: {},
    });
  }

  @Post('new')
  @PageRoles('employee')
  async submit(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() form: Form,
    @Query('type') type?: string,
  ): Promise<void> {
    if (!isRequestType(type)) throw new ApiRefusal(400, { message: 'Choose a request type first.' });
    const body = bodyFromForm(type, form);
    const key = one(form.idempotencyKey) || randomUUID();
    const answer = await new WebApi(req).send<RequestView & ApiErrorBody>(
      'POST',
      '/api/requests',
      body,
      'application/json',
      {
        'idempotency-key': key,
      },
    );
    if (answer.status === 201) {
      res.redirect(303, `/app/requests/${answer.body.id}?done=submitted`);
      return;
    }
    if (answer.status === 400 || answer.status === 409 || answer.status === 422) {
      await this.sendForm(req, res, type, body, { error: answer.body, status: 400, idempotencyKey: key });
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  /** The live routing preview: the same body the form would submit, evaluated without submitting. */
  @Post('preview')
  @HttpCode(200)
  async preview(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() form: Form,
    @Query('type') type?: string,
  ): Promise<void> {
    if (!isRequestType(type)) {
      res.status(400).json({ statusCode: 400, error: 'Bad Request', message: 'type must be a request type' });
      return;
    }
    const answer = await new WebApi(req).send<PreviewAnswer>('POST', '/api/policy/evaluate', bodyFromForm(type, form));
    res.status(answer.status).setHeader('Cache-Control', 'no-store').json(previewInWords(answer.body));
  }

  @Get(':id')
  async detail(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Query('done') done?: string,
    @Query('problem') problem?: string,
  ): Promise<void> {
    const api = new WebApi(req);
    const view = await api.get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
    const { items: timeline } = await api.get<{ items: TimelineEntry[] }>(`/api/requests/${view.id}/timeline`);
    const me = req.person!;
    const mine = view.requester.email === me.email;
    const decidable =
      me.roles.includes('approver') && view.status === 'pending' ? await this.decidable(api, view.id) : [];
    const extras = mine ? null : await this.packetExtras(api, view);
    this.pages.send(req, res, 'request', `${view.reference ?? ''} ${titleOf(view)}`.trim(), {
      data: {
        r: { ...view, stages: shownStages(view) },
        packet: decisionPacket(view),
        reply: view.status === 'pending' ? latestReply(timeline) : null,
        earlier: extras?.earlier ?? null,
        since: extras?.since ?? [],
        timeline,
        ...waitingOn(view),
        notice: NOTICES[done ?? ''] ?? null,
        problem: UPLOAD_PROBLEMS[problem ?? ''] ?? null,
        decidable,
        // The manifest's materials: the requester attaches their files; who reviews them downloads them.
        materials: (view.manifest?.materials ?? []).map((m, index) => ({
          ...m,
          index,
          canUpload: mine && RECORDABLE.includes(view.status),
          canDownload:
            'document' in m &&
            (mine ||
              me.roles.includes('admin') ||
              me.roles.includes('auditor') ||
              (me.parties ?? []).some((p) => p.party === 'data_governance')),
        })),
        canAmend: mine && view.status === 'changes_requested',
        canWithdraw: mine && isWithdrawable(view.status),
        canCopy: mine && ['rejected', 'withdrawn', 'expired'].includes(view.status),
        // what may be recorded now: a debrief waits for the trip to end (the rule of record refuses it before)
        openObligations: mine
          ? view.obligations.filter(
              (o) =>
                (o.status === 'open' || o.status === 'overdue') &&
                Date.parse(earliestFulfilment(o.kind, view.tripEnd) ?? '1970-01-01') <= Date.now(),
            )
          : [],
        // a fulfilment recorded by mistake is reopened with a reason, by the requester or security
        correctableObligations:
          view.status === 'approved' && (mine || (isMemberOf(me, 'security') && asksParty(view, 'security')))
            ? view.obligations.filter((o) => o.status === 'fulfilled' && recordedByRequester(o.kind))
            : [],
        // The authorization tracker: the requester (or a compliance admin) records each authority's progress.
        authorizationForms:
          (mine || me.roles.includes('admin')) && RECORDABLE.includes(view.status)
            ? view.authorizations.filter((a) => a.status !== 'refused')
            : [],
      },
    });
  }

  /**
   * What the decision packet adds for the caller, read from the API (GET /api/requests/:id/packet, the
   * one place the email-link page reads too): the person's earlier requests the caller may read, with
   * their outcome; and for each party the caller decides for, what changed since it last decided.
   */
  private async packetExtras(api: WebApi, view: RequestView) {
    const answer = await api.send<PacketExtras>('GET', `/api/requests/${encodeURIComponent(view.id)}/packet`);
    const extras = answer.status === 200 ? answer.body : { earlierRequests: [], sinceLastDecided: [] };
    const nameOf = await this.people.of([view.requester.email]);
    return {
      earlier: {
        personName: nameOf(view.requester.email),
        flags: extras.requesterFlags ?? null,
        items: earlierInWords(extras.earlierRequests),
      },
      since: sinceInWords(extras.sinceLastDecided),
    };
  }

  @Post(':id/decisions')
  async decide(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: Form,
  ): Promise<void> {
    const api = new WebApi(req);
    const body = {
      party: one(form.party),
      decision: one(form.decision),
      ...(one(form.comment).trim() ? { comment: one(form.comment).trim() } : {}),
      ...(one(form.decision) === 'approve' ? { conditions: lines(form.conditions) } : {}),
      // The round the page showed: a decision on a request amended since is refused, not misapplied.
      ...(/^\d{1,6}$/.test(one(form.round)) ? { round: Number(one(form.round)) } : {}),
    };
    await api.post(`/api/requests/${encodeURIComponent(id)}/decisions`, body);
    res.redirect(303, `/app/requests/${encodeURIComponent(id)}?done=decided`);
  }

  /** A finished request (rejected, withdrawn, expired) as a new one: the form, filled in with what it said. */
  @Get(':id/copy')
  @PageRoles('employee')
  async copyForm(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const view = await new WebApi(req).get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
    if (view.requester.email !== req.person!.email) {
      throw new ApiRefusal(403, { message: 'Only its requester may copy a request.' });
    }
    const body = {
      type: view.type,
      destinationCountry: view.destinationCountry,
      departureDate: view.departureDate,
      returnDate: view.returnDate,
      purpose: view.purpose,
      counterparties: view.counterparties.map((c) => ({ name: c.name, country: c.country })),
      technologyAreas: view.technologyAreas,
      dataCategories: view.dataCategories,
      details: view.details,
      ...(view.manifest ? { manifest: view.manifest } : {}),
    };
    await this.sendForm(req, res, view.type as RequestType, body, {
      copiedFrom: { id: view.id, reference: view.reference ?? view.id, status: label(view.status).toLowerCase() },
    });
  }

  @Get(':id/amend')
  @PageRoles('employee')
  async amendForm(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const view = await new WebApi(req).get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
    await this.sendForm(
      req,
      res,
      view.type as RequestType,
      { ...view },
      { amending: view.id, asked: await this.askedOf(view) },
    );
  }

  @Post(':id/amend')
  @PageRoles('employee')
  async amend(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: Form,
  ): Promise<void> {
    const api = new WebApi(req);
    const view = await api.get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
    const reply = typeof form.reply === 'string' ? form.reply : '';
    const body = { ...bodyFromForm(view.type as RequestType, form), ...(reply.trim() ? { reply } : {}) };
    const answer = await api.send<ApiErrorBody>('POST', `/api/requests/${view.id}/amend`, body);
    if (answer.status === 200) {
      res.redirect(303, `/app/requests/${view.id}?done=amended`);
      return;
    }
    if (answer.status === 400) {
      await this.sendForm(req, res, view.type as RequestType, body, {
        error: answer.body,
        status: 400,
        amending: view.id,
        asked: await this.askedOf(view),
      });
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  /** Withdrawing asks first: what happens, who is told, and an optional reason. Nothing is recorded here. */
  @Get(':id/withdraw')
  @PageRoles('employee')
  async withdrawForm(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const view = await new WebApi(req).get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
    this.sendWithdraw(req, res, view);
  }

  @Post(':id/withdraw')
  @PageRoles('employee')
  async withdraw(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: Form,
  ): Promise<void> {
    const api = new WebApi(req);
    const reason = one(form?.reason).trim();
    const answer = await api.send<ApiErrorBody>(
      'POST',
      `/api/requests/${encodeURIComponent(id)}/withdraw`,
      reason ? { reason } : {},
    );
    if (answer.status === 200) {
      res.redirect(303, `/app/requests/${encodeURIComponent(id)}?done=withdrawn`);
      return;
    }
    if (answer.status === 400) {
      const view = await api.get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
      this.sendWithdraw(req, res, view, { status: 400, reason, error: answer.body });
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  private sendWithdraw(
    req: PageRequest,
    res: Response,
    view: RequestView,
    options: { status?: number; reason?: string; error?: ApiErrorBody } = {},
  ): void {
    const me = req.person!;
    if (view.requester.email !== me.email) {
      throw new ApiRefusal(403, { message: 'only the requester may withdraw a request' });
    }
    if (!isWithdrawable(view.status)) {
      throw new ApiRefusal(409, {
        message: `Only an undecided request can be withdrawn; this one is ${label(view.status).toLowerCase()}.`,
      });
    }
    const asked = view.stages
      .flatMap((s) => s.approvals)
      .filter((a) => a.status !== 'waiting')
      .map((a) => label(a.party));
    this.pages.send(req, res, 'withdraw', `Withdraw ${view.reference ?? ''}`.trim(), {
      status: options.status ?? 200,
      data: {
        r: view,
        title: titleOf(view),
        asked: [...new Set(asked)],
        reason: options.reason ?? '',
        reasonError: messagesByField(options.error).reason ?? null,
      },
    });
  }

  @Post(':id/obligations/:kind')
  @PageRoles('employee')
  async fulfil(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() form: Form,
  ): Promise<void> {
    const note = one(form.note).trim();
    await new WebApi(req).post(
      `/api/requests/${encodeURIComponent(id)}/obligations/${encodeURIComponent(kind)}`,
      note ? { note } : {},
    );
    res.redirect(303, `/app/requests/${encodeURIComponent(id)}?done=fulfilled`);
  }

  @Post(':id/obligations/:kind/correct')
  async correctObligation(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() form: Form,
  ): Promise<void> {
    await new WebApi(req).post(
      `/api/requests/${encodeURIComponent(id)}/obligations/${encodeURIComponent(kind)}/correct`,
      { reason: one(form.reason).trim() },
    );
    res.redirect(303, `/app/requests/${encodeURIComponent(id)}?done=reopened`);
  }

  @Post(':id/authorizations/:kind')
  async recordAuthorization(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() form: Form,
  ): Promise<void> {
    const text = (name: string) => one(form[name]).trim();
    const body: Record<string, string> = { status: text('status') };
    for (const name of ['authority', 'reference', 'decidedAt', 'validFrom', 'validUntil', 'reason']) {
      if (text(name) !== '') body[name] = text(name);
    }
    await new WebApi(req).post(
      `/api/requests/${encodeURIComponent(id)}/authorizations/${encodeURIComponent(kind)}`,
      body,
    );
    res.redirect(303, `/app/requests/${encodeURIComponent(id)}?done=authorization`);
  }

  @Post(':id/authorizations/:kind/document')
  async uploadDecisionDocument(
    @Req() req: PageRequest & UploadFormRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('kind') kind: string,
  ): Promise<void> {
    const path = `/api/requests/${encodeURIComponent(id)}/authorizations/${encodeURIComponent(kind)}/document`;
    await this.passUpload(req, res, id, path, 'document');
  }

  @Post(':id/materials/:index/document')
  async uploadMaterial(
    @Req() req: PageRequest & UploadFormRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('index') index: string,
  ): Promise<void> {
    const path = `/api/requests/${encodeURIComponent(id)}/manifest/materials/${encodeURIComponent(index)}/document`;
    await this.passUpload(req, res, id, path, 'material');
  }

  @Get(':id/materials/:index/document')
  async downloadMaterial(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Param('index') index: string,
  ): Promise<void> {
    await passThrough(
      req,
      res,
      `/api/requests/${encodeURIComponent(id)}/manifest/materials/${encodeURIComponent(index)}/document`,
    );
  }

  /** Passes the form's file to the API; a wrong file comes back to the request page with the problem in words. */
  private async passUpload(
    req: UploadFormRequest & PageRequest,
    res: Response,
    id: string,
    path: string,
    done: string,
  ): Promise<void> {
    const back = (query: string) => res.redirect(303, `/app/requests/${encodeURIComponent(id)}?${query}`);
    // whoever may not read the request learns nothing of it, whatever the form held (404 as everywhere)
    await new WebApi(req).get(`/api/requests/${encodeURIComponent(id)}`);
    if (req.uploadProblem) return back(`problem=${req.uploadProblem}`);
    if (!req.file || req.file.size === 0) return back('problem=missing');
    const answer = await new WebApi(req).upload<ApiErrorBody>('PUT', path, {
      bytes: req.file.buffer,
      name: req.file.originalname,
      type: req.file.mimetype,
    });
    if (answer.status === 413) return back('problem=size');
    if (answer.status === 400 && answer.body.errors?.some((e) => e.field === 'document')) return back('problem=type');
    if (answer.status >= 400) throw new ApiRefusal(answer.status, answer.body);
    back(`done=${done}`);
  }

  private async decidable(api: WebApi, requestId: string): Promise<InboxItem[]> {
    // this request's approvals only: the inbox is paged, the request may be on any page
    const inbox = await api.get<{ items: InboxItem[] }>(`/api/approvals/inbox${query({ requestId })}`);
    return inbox.items.filter((item) => item.requestId === requestId);
  }

  /** What the reviewers who sent the request back asked, party by party, for the top of the amend form. */
  private async askedOf(view: RequestView): Promise<Asked[]> {
    const sentBack = view.stages.flatMap((s) => s.approvals).filter((a) => a.status === 'changes_requested');
    const nameOf = await this.people.of(sentBack.map((a) => a.decidedBy));
    return sentBack.map((a) => ({
      party: label(a.party),
      by: a.decidedBy ? nameOf(a.decidedBy) : null,
      comment: a.comment ?? '',
      at: a.decidedAt ?? null,
    }));
  }

  /** The person's approved trips a passport release may serve, for the form to offer (newest first). */
  private async approvedTrips(req: PageRequest): Promise<Array<{ value: string; name: string }>> {
    const { items } = await new WebApi(req).get<{ items: RequestView[] }>(
      `/api/requests${query({ mine: 'true', status: 'approved', limit: '100' })}`,
    );
    return items
      .filter((v) => v.type !== 'passport_release')
      .map((v) => ({
        value: v.id,
        name: `${v.reference ?? ''} ${titleOf(v)}, ${datesInWords(v.departureDate, v.returnDate)}`.trim(),
      }));
  }

  private async sendForm(
    req: PageRequest,
    res: Response,
    type: RequestType,
    body: Record<string, unknown>,
    options: {
      error?: ApiErrorBody;
      status?: number;
      idempotencyKey?: string;
      amending?: string;
      asked?: Asked[];
      copiedFrom?: { id: string; reference: string; status: string };
    } = {},
  ): Promise<void> {
    const { error, status = 200, idempotencyKey = randomUUID(), amending, asked = [], copiedFrom } = options;
    const trips = type === 'passport_release' ? await this.approvedTrips(req) : [];
    const model = formModel(type, body, error, { trips });
    this.pages.send(req, res, 'request-form', amending ? 'Amend request' : `New ${model.typeName.toLowerCase()}`, {
      status,
      scripts: ['request-form.js'],
      data: {
        ...model,
        idempotencyKey,
        amending,
        asked,
        copiedFrom,
        action: amending ? `/app/requests/${amending}/amend` : `/app/requests/new?type=${type}`,
      },
    });
  }
}

/** The requester's reply to the reviewers that came with the latest amendment, if it came with one. */
function latestReply(timeline: TimelineEntry[]): string | null {
  const amended = timeline.filter((e) => e.kind === 'amended');
  return amended[amended.length - 1]?.reply ?? null;
}

interface PreviewAnswer extends ApiErrorBody {
  stages?: Array<{ index: number; parties: Array<{ party: string; reasons: string[]; quorum?: number }> }>;
  destinationRisk?: string;
  tier?: string;
}

/** The evaluate answer as the form's preview shows it: field errors, parties, reasons, risk and tier in words. */
function previewInWords(body: PreviewAnswer) {
  return {
    ...body,
    ...(body.errors ? { errors: wordedErrors(body) } : {}),
    ...(body.stages
      ? {
          stages: body.stages.map((s) => ({
            ...s,
            parties: s.parties.map((p) => ({ ...p, partyName: label(p.party), reasons: p.reasons.map(reasonInWords) })),
          })),
        }
      : {}),
    ...(body.destinationRisk ? { destinationRiskWords: label(body.destinationRisk).toLowerCase() } : {}),
    ...(body.tier ? { tierWords: label(body.tier) } : {}),
  };
}

/**
 * The stages with each approval's status as a person should read it: a party a finished request
 * never needed (withdrawn or rejected before it decided) is "Not needed", not "Pending". The API's
 * approval statuses stay as the contract has them.
 */
function shownStages(view: RequestView) {
  return view.stages.map((s) => ({
    ...s,
    approvals: s.approvals.map((a) => {
      const shown = approvalStatusShown(view.status, a.status);
      return { ...a, shownStatus: shown, shownWords: label(shown) };
    }),
  }));
}

/** "Conference trip to Japan": what a person calls the request. */
function titleOf(view: Pick<RequestView, 'type' | 'destinationCountry'>): string {
  return `${label(view.type)} to ${countryName(view.destinationCountry)}`;
}

/** Whether a party is asked anywhere in the request's route. */
function asksParty(view: RequestView, party: string): boolean {
  return view.stages.some((s) => s.approvals.some((a) => a.party === party));
}

/** Who the request is waiting on, in words: the parties still pending in the open stage. */
function waitingOn(view: RequestView): { nextStep: string } {
  if (view.status === 'changes_requested') return { nextStep: 'Waiting on you: amend or withdraw' };
  if (view.status === 'awaiting_authorization') {
    const outstanding = view.authorizations.filter((a) => a.blocks === 'approval' && a.status !== 'granted');
    return {
      nextStep: `Every party approved; waiting on the authorities: ${outstanding.map((a) => a.label).join(', ') || 'a grant valid through the return'}`,
    };
  }
  if (view.status !== 'pending') {
    const open = view.obligations.filter((o) => o.status === 'open' || o.status === 'overdue');
    return { nextStep: open.length ? `Obligations: ${open.map((o) => obligationKindLabel(o.kind)).join(', ')}` : '' };
  }
  const pending = view.stages.flatMap((s) => s.approvals).filter((a) => a.status === 'pending');
  return {
    nextStep: pending.length ? `Waiting on ${pending.map((a) => label(a.party)).join(', ')}` : 'Being screened',
  };
}
