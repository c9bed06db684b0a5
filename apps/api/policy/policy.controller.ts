import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Person } from '@libs/domain/person';
import {
  parsePolicyDocument,
  planRoute,
  withoutScreeningDetails,
  withScreeningSummary,
  type RoutingPolicy,
} from '@libs/domain/policy';
import { TIERS, type Tier } from '@libs/domain/vocabulary';
import { determine } from '@libs/domain/authorizations';
import { todayUtc } from '@libs/domain/calendar-date';
import {
  AuditLogRepository,
  DirectoryRepository,
  PolicyRepository,
  RequestRepository,
  type RequestEntity,
  type StoredPolicy,
} from '@libs/persistence';
import type { PersonFlags } from '@libs/domain/person';
import { outcomeChange } from '@libs/domain/policy-simulation';
import type { RequestInput } from '@libs/domain/request';
import type { ScreeningHit } from '@libs/domain/screening';
import { isCalendarDate } from '@libs/domain/calendar-date';
import { ScreeningService } from '@libs/screening/screening.service';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { CreateRequestDto, parseRequestInput } from '../requests/request.dto';
import { RequestsService } from '../requests/requests.service';

/** The most requests one simulation looks at (the oldest first from `since`); `truncated` says when there were more. */
const SIMULATION_LIMIT = 5000;

/** The request as submitted (or last amended), from the projection's columns. */
function requestInputOf(row: RequestEntity): RequestInput {
  return {
    type: row.type as RequestInput['type'],
    destinationCountry: row.destinationCountry,
    departureDate: row.departureDate,
    returnDate: row.returnDate,
    purpose: row.purpose,
    counterparties: row.counterparties,
    technologyAreas: row.technologyAreas as RequestInput['technologyAreas'],
    dataCategories: row.dataCategories as RequestInput['dataCategories'],
    details: row.details as unknown as RequestInput['details'],
  };
}

/** Fields of a stored version that are not part of the document an admin edits. */
function documentOf(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { version: _v, createdBy: _b, createdAt: _a, ...document } = body as Record<string, unknown>;
  return document;
}

@ApiTags('policy')
@ApiBearerAuth()
@Controller('api/policy')
export class PolicyController {
  constructor(
    private readonly requests: RequestRepository,
    private readonly directory: DirectoryRepository,
    private readonly policies: PolicyRepository,
    private readonly screening: ScreeningService,
    private readonly audit: AuditLogRepository,
    private readonly submissions: RequestsService,
  ) {}

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'The policy version in force for new requests' })
  current(): Promise<StoredPolicy> {
    return this.policies.current();
  }

  @Get('versions')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Every published version, newest first' })
  versions() {
    return this.policies.list();
  }

  @Get('versions/:version')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'One published version' })
  async version(@Param('version') version: string): Promise<StoredPolicy> {
    const found = /^\d{1,9}$/.test(version) ? await this.policies.get(Number(version)) : null;
    if (!found) throw new DomainError('NOT_FOUND', `policy version ${version.slice(0, 20)} not found`);
    return found;
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ summary: 'Validate and publish a new version (running requests keep theirs)' })
  async publish(@CurrentPerson() person: Person, @Body() body: unknown): Promise<StoredPolicy> {
    const parsed = parsePolicyDocument(documentOf(body));
    if ('problems' in parsed) throw DomainError.validation(parsed.problems);
    return this.policies.publish(parsed.document, person.email);
  }

  @Post('validate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Check a policy document without publishing it: its problems, or the document as it would be stored',
  })
  async validate(
    @Body() body: unknown,
  ): Promise<
    | { valid: true; problems: []; document: unknown; current: StoredPolicy }
    | { valid: false; problems: { field: string; messages: string[] }[]; document: null; current: StoredPolicy }
  > {
    const parsed = parsePolicyDocument(documentOf(body));
    const current = await this.policies.current();
    if ('problems' in parsed) return { valid: false, problems: parsed.problems, document: null, current };
    return { valid: true, problems: [], document: parsed.document, current };
  }

  @Post('simulate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary:
      'Policy impact before publishing: runs a draft over the requests submitted since a day and lists those it would ' +
      'route, block or require authorizations for differently than their pinned version did; changes nothing',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['policy', 'since'],
      properties: { policy: { type: 'object' }, since: { type: 'string', example: '2027-01-01' } },
    },
  })
  async simulate(@Body() body: unknown) {
    const { policy, since } = (body && typeof body === 'object' ? body : {}) as { policy?: unknown; since?: unknown };
    const problems: { field: string; messages: string[] }[] = [];
    if (typeof since !== 'string' || !isCalendarDate(since)) {
      problems.push({ field: 'since', messages: ['since must be a calendar date YYYY-MM-DD'] });
    }
    const parsed = policy === undefined ? null : parsePolicyDocument(documentOf(policy));
    if (!parsed) problems.push({ field: 'policy', messages: ['policy (the draft document) is required'] });
    else if ('problems' in parsed) {
      problems.push(...parsed.problems.map((p) => ({ field: `policy.${p.field}`, messages: p.messages })));
    }
    if (problems.length > 0 || !parsed || 'problems' in parsed) throw DomainError.validation(problems);
    const draft: RoutingPolicy = { ...parsed.document, version: 0 };
    const rows = await this.requests.submittedSince(since as string, SIMULATION_LIMIT);
    const pinned = new Map<number, RoutingPolicy | null>();
    const flags = new Map<string, PersonFlags | undefined>();
    const changed = [];
    for (const row of rows) {
      if (!pinned.has(row.policyVersion)) pinned.set(row.policyVersion, await this.policies.get(row.policyVersion));
      const version = pinned.get(row.policyVersion);
      if (!version) continue;
      if (!flags.has(row.requesterEmail)) {
        flags.set(row.requesterEmail, (await this.directory.findPerson(row.requesterEmail))?.flags);
      }
      const change = outcomeChange(
        {
          request: requestInputOf(row),
          tier: row.requesterTier as Tier,
          flags: flags.get(row.requesterEmail),
          screeningHits: row.screeningHits as ScreeningHit[],
        },
        version,
        draft,
      );
      if (change)
        changed.push({ requestId: row.id, reference: row.reference, policyVersion: row.policyVersion, ...change });
    }
    return { requests: rows.length, changed, truncated: rows.length === SIMULATION_LIMIT };
  }

  @Post('evaluate')
  @ApiOperation({
    summary:
      'Dry run: the stages and parties a request would need, and why; records nothing but a dry run that hits the ' +
      'restricted-party list. Only admins and auditors see which entry matched and how closely.',
  })
  @ApiBody({ type: CreateRequestDto })
  async evaluate(
    @CurrentPerson() person: Person,
    @Body() body: unknown,
    @Query('tier') tier?: string,
    @Query('version') version?: string,
  ) {
    if (tier !== undefined && !TIERS.includes(tier as Tier)) {
      throw DomainError.validation([{ field: 'tier', messages: [`tier must be one of: ${TIERS.join(', ')}`] }]);
    }
    const policy = version === undefined ? await this.policies.current() : await this.version(version);
    const request = parseRequestInput(body);
    const screeningHits = await this.screening.screen(request.counterparties);
    const facts = { request, tier: (tier as Tier | undefined) ?? person.tier ?? 'standard', flags: person.flags };
    const plan = planRoute({ ...facts, screeningHits }, policy);
    const unscreened = planRoute(facts, policy);
    if (screeningHits.length > 0) {
      // Probing the list by trying spellings is itself worth knowing about.
      await this.audit.append([
        {
          event: 'screening.dry_run_hit',
          actor: person.email,
          payload: {
            policyVersion: policy.version,
            hits: screeningHits.map((h) => ({ counterparty: h.counterparty, entryId: h.entryId, score: h.score })),
          },
        },
      ]);
    }
    const readsList = person.roles.some((r) => r === 'admin' || r === 'auditor');
    const answer = readsList ? withScreeningSummary(plan, unscreened) : withoutScreeningDetails(plan, unscreened);
    const { authorizations, determinations, warnings } = determine({ ...facts, screeningHits }, policy, todayUtc());
    return {
      ...answer,
      tier: facts.tier,
      blocked: determinations.some((d) => d.outcome === 'blocked'),
      authorizations: authorizations.map((a) => ({
        kind: a.kind,
        label: a.label,
        authority: a.authority,
        status: a.status,
        reasons: a.reasons,
        blocks: a.blocks,
        leadTimeDays: a.leadTimeDays,
      })),
      determinations,
      warnings,
      // what submit would refuse besides the fields, so that preview and submit agree
      problems: await this.submissions.submissionProblems(person, request),
    };
  }
}
