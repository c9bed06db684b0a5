import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Person } from '@libs/domain/person';
import { parsePolicyDocument, planRoute, withoutScreeningDetails, withScreeningSummary } from '@libs/domain/policy';
import { TIERS, type Tier } from '@libs/domain/vocabulary';
import { AuditLogRepository, PolicyRepository, type StoredPolicy } from '@libs/persistence';
import { ScreeningService } from '@libs/screening/screening.service';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { CreateRequestDto, parseRequestInput } from '../requests/request.dto';
import { RequestsService } from '../requests/requests.service';

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
    private readonly policies: PolicyRepository,
    private readonly screening: ScreeningService,
    private readonly audit: AuditLogRepository,
    private readonly requests: RequestsService,
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
    const facts = { request, tier: (tier as Tier | undefined) ?? person.tier ?? 'standard' };
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
    // what submit would refuse besides the fields, so that preview and submit agree
    const problems = await this.requests.submissionProblems(person, request);
    return { ...answer, tier: facts.tier, problems };
  }
}
