import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Person } from '@libs/domain/person';
import { AuditLogRepository, SentEmailRepository } from '@libs/persistence';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { validateBody } from '../common/validate-body';
import {
  AssignReviewerDto,
  AmendRequestDto,
  CreateRequestDto,
  DecisionDto,
  ListQueryDto,
  parseAmendInput,
  parseRequestInput,
  WithdrawDto,
} from './request.dto';
import { readDocumentUpload } from './authorization-document.upload';
import { AUTHORIZATION_KIND, AuthorizationProgressDto, parseAuthorizationProgress } from './authorization.dto';
import { ReviewersService } from './reviewers.service';
import { DecisionPacketService } from './decision-packet.service';
import { buildTimeline, emailsShownTo } from './request-timeline';
import { RequestsService } from './requests.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestId(id: string): string {
  if (!UUID.test(id)) throw new DomainError('NOT_FOUND', `request ${id.slice(0, 64)} not found`);
  return id.toLowerCase();
}

/** A material's place in the manifest: 400 naming `index` unless a whole number, 404 past the list's end. */
function materialIndex(index: string, count: number): number {
  if (!/^\d{1,2}$/.test(index)) {
    throw DomainError.validation([{ field: 'index', messages: ['index must be the number of a material, from 0'] }]);
  }
  const at = Number(index);
  if (at >= count) throw new DomainError('NOT_FOUND', `the manifest has no material ${at}`);
  return at;
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
};

@ApiTags('requests')
@ApiBearerAuth()
@Controller('api/requests')
export class RequestsController {
  constructor(
    private readonly requests: RequestsService,
    private readonly reviewers: ReviewersService,
    private readonly auditLog: AuditLogRepository,
    private readonly sentEmails: SentEmailRepository,
    private readonly packets: DecisionPacketService,
  ) {}

  @Post()
  @Roles('employee')
  @ApiOperation({ summary: 'Submit a request; starts its workflow' })
  @ApiBody({ type: CreateRequestDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async submit(
    @CurrentPerson() person: Person,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
      throw DomainError.validation([
        { field: 'Idempotency-Key', messages: ['Idempotency-Key must be 1 to 200 characters'] },
      ]);
    }
    const input = parseRequestInput(body);
    const { view, created } = await this.requests.submit(person, input, idempotencyKey);
    res.status(201);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    return view;
  }

  @Get()
  @ApiOperation({ summary: 'Requests the caller may read, newest first' })
  async list(@CurrentPerson() person: Person, @Query() query: Record<string, unknown>) {
    const q = validateBody(ListQueryDto, query);
    const limit = q.limit === undefined ? 20 : Number(q.limit);
    if (limit < 1 || limit > 100) {
      throw DomainError.validation([{ field: 'limit', messages: ['limit must be a whole number from 1 to 100'] }]);
    }
    return this.requests.list(person, {
      status: q.status,
      type: q.type,
      mine: q.mine === 'true',
      limit,
      cursor: q.cursor,
      search: {
        q: q.q?.trim() || undefined,
        requester: q.requester?.trim() || undefined,
        destination: q.destination?.toUpperCase(),
        from: q.from,
        to: q.to,
      },
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One request (its requester, members of its parties, auditors, admins)' })
  async get(@CurrentPerson() person: Person, @Param('id') id: string) {
    const stored = await this.requests.readable(person, requestId(id));
    return this.requests.view(stored.request.id, person);
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'Everything that happened to one request, oldest first (whoever may read it)' })
  async timeline(@CurrentPerson() person: Person, @Param('id') id: string) {
    const stored = await this.requests.readable(person, requestId(id));
    const [proof, emails, reader] = await Promise.all([
      this.auditLog.proofFor(stored.request.id),
      this.sentEmails.forRequest(stored.request.id),
      this.requests.timelineReader(person, stored),
    ]);
    return { items: buildTimeline(proof.rows, emailsShownTo(emails, reader)) };
  }

  @Get(':id/packet')
  @ApiOperation({
    summary:
      "What a decision packet adds for the caller: the requester's earlier requests they may read, and for each party they decide for what changed since it last decided",
  })
  async packet(@CurrentPerson() person: Person, @Param('id') id: string) {
    const stored = await this.requests.readable(person, requestId(id));
    return this.packets.forPerson(person, stored);
  }

  @Post(':id/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide for a party: approve, reject or request_changes' })
  @ApiBody({ type: DecisionDto })
  async decide(@CurrentPerson() person: Person, @Param('id') id: string, @Body() body: unknown) {
    // who may not read the request learns nothing, not even that their body was wrong
    await this.requests.readable(person, requestId(id));
    const dto = validateBody(DecisionDto, body);
    if (dto.decision !== 'approve' && !dto.comment?.trim()) {
      throw DomainError.validation([
        {
          field: 'comment',
          messages: [`comment is required to ${dto.decision === 'reject' ? 'reject (the reason)' : 'request changes'}`],
        },
      ]);
    }
    return this.requests.decide(person, requestId(id), dto, 'api');
  }

  @Post(':id/amend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Amend a request sent back for changes; restarts the current stage' })
  @ApiBody({ type: AmendRequestDto })
  async amend(@CurrentPerson() person: Person, @Param('id') id: string, @Body() body: unknown) {
    await this.requests.readable(person, requestId(id));
    const { request, reply } = parseAmendInput(body);
    return this.requests.amend(person, requestId(id), request, reply);
  }

  @Post(':id/obligations/:kind')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record an obligation of an approved request as met (training, debrief, condition-<n>)' })
  async fulfil(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() body: unknown,
  ) {
    if (!/^(training|debrief|passport_return|condition-\d{1,3})$/.test(kind)) {
      throw DomainError.validation([{ field: 'kind', messages: ['kind must be training, debrief or condition-<n>'] }]);
    }
    const note =
      body && typeof body === 'object' && typeof (body as { note?: unknown }).note === 'string'
        ? (body as { note: string }).note.slice(0, 2000)
        : null;
    return this.requests.fulfilObligation(person, requestId(id), kind, note);
  }

  @Post(':id/obligations/:kind/correct')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Reopen an obligation recorded as met by mistake, with a reason (the requester, or a member of the request's security party)",
  })
  async correct(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() body: unknown,
  ) {
    if (!/^(training|debrief|condition-\d{1,3})$/.test(kind)) {
      throw DomainError.validation([{ field: 'kind', messages: ['kind must be training, debrief or condition-<n>'] }]);
    }
    const reason = body && typeof body === 'object' ? (body as { reason?: unknown }).reason : undefined;
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 2000) {
      throw DomainError.validation([
        { field: 'reason', messages: ['reason must say why the record is corrected (1 to 2000 characters)'] },
      ]);
    }
    return this.requests.correctObligation(person, requestId(id), kind, reason.trim());
  }

  @Post(':id/authorizations/:kind')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "The requester or a compliance admin records an authority's decision on an external authorization " +
      '(applied, granted, refused); answers the view once the workflow accepted it',
  })
  @ApiBody({ type: AuthorizationProgressDto })
  async recordAuthorization(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() body: unknown,
  ) {
    const stored = await this.requests.readable(person, requestId(id));
    this.requests.checkRecordsAuthorizations(person, stored);
    const dto = parseAuthorizationProgress(body);
    if (!AUTHORIZATION_KIND.test(kind)) {
      throw new DomainError(
        'AUTHORIZATION_NOT_REQUIRED',
        `authorization ${kind.slice(0, 60)} does not apply to this request`,
      );
    }
    return this.requests.recordAuthorization(person, requestId(id), kind, {
      status: dto.status,
      authority: dto.authority?.trim() ?? null,
      reference: dto.reference?.trim() ?? null,
      decidedAt: dto.decidedAt ?? null,
      validFrom: dto.validFrom ?? null,
      validUntil: dto.validUntil ?? null,
      reason: dto.reason?.trim() || null,
    });
  }

  @Put(':id/authorizations/:kind/document')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "The authority's decision document (multipart, file field `document`, a PDF or an image, at most 10 MB): " +
      'stored encrypted; its SHA-256 is recorded on the authorization and in the workflow history, never the file',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['document'], properties: { document: { type: 'string', format: 'binary' } } },
  })
  async attachDocument(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const stored = await this.requests.readable(person, requestId(id));
    this.requests.checkRecordsAuthorizations(person, stored);
    if (!AUTHORIZATION_KIND.test(kind) || !(stored.request.authorizations ?? []).some((a) => a.kind === kind)) {
      throw new DomainError(
        'AUTHORIZATION_NOT_REQUIRED',
        `authorization ${kind.slice(0, 60)} does not apply to this request`,
      );
    }
    const upload = await readDocumentUpload(req, res);
    return this.requests.attachAuthorizationDocument(person, stored, kind, upload);
  }

  @Put(':id/manifest/materials/:index/document')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'The requester: the file of a material on the trip manifest (multipart, file field `document`, a PDF or an image, at most 10 MB), for data governance to review: ' +
      'stored encrypted; its SHA-256 is recorded on the request and in the workflow history, never the file',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['document'], properties: { document: { type: 'string', format: 'binary' } } },
  })
  async attachMaterialDocument(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Param('index') index: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const stored = await this.requests.readable(person, requestId(id));
    if (stored.request.requesterEmail !== person.email) {
      throw new DomainError('FORBIDDEN', "only the requester attaches a material's file");
    }
    const at = materialIndex(index, stored.request.manifest?.materials.length ?? 0);
    const upload = await readDocumentUpload(req, res, "the material's file");
    return this.requests.attachMaterialDocument(person, stored, at, upload);
  }

  @Get(':id/manifest/materials/:index/document')
  @ApiOperation({
    summary:
      "The file of a material on the trip manifest: for its requester, data governance's members, auditors and admins (403 for other readers)",
  })
  async materialDocument(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Param('index') index: string,
    @Res() res: Response,
  ) {
    const stored = await this.requests.readable(person, requestId(id));
    this.requests.checkReviewsMaterials(person, stored);
    const at = materialIndex(index, stored.request.manifest?.materials.length ?? 0);
    const file = await this.requests.materialDocument(stored, at);
    const name = `${file.title.replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 80)}${EXTENSIONS[file.contentType] ?? ''}`;
    res.setHeader('content-type', file.contentType);
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    res.setHeader('x-content-type-options', 'nosniff');
    res.send(file.bytes);
  }

  @Post(':id/reviewers')
  @ApiOperation({
    summary:
      'Admins: assign a reviewer to a party of a request when conflicts of interest leave nobody of it to decide; ' +
      'the reviewer is emailed a link and decides for that party on that request only',
  })
  @ApiBody({ type: AssignReviewerDto })
  async assignReviewer(
    @CurrentPerson() person: Person,
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const stored = await this.requests.readable(person, requestId(id));
    if (!person.roles.includes('admin')) {
      throw new DomainError('FORBIDDEN', 'only a compliance admin assigns a reviewer');
    }
    const { reviewer, created } = await this.reviewers.assign(person, stored, validateBody(AssignReviewerDto, body));
    res.status(created ? 201 : 200);
    return reviewer;
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Withdraw an undecided request, optionally with a reason (the approvers already asked are told)',
  })
  @ApiBody({ type: WithdrawDto, required: false })
  async withdraw(@CurrentPerson() person: Person, @Param('id') id: string, @Body() body: unknown) {
    const { reason } = validateBody(WithdrawDto, body ?? {});
    return this.requests.withdraw(person, requestId(id), reason?.trim() || null);
  }
}
