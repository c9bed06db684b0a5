import { Injectable } from '@nestjs/common';
import { determine } from '@libs/domain/authorizations';
import { isCalendarDate, todayUtc } from '@libs/domain/calendar-date';
import type { Person, PersonFlags } from '@libs/domain/person';
import {
  parsePolicyDocument,
  planRoute,
  withoutScreeningDetails,
  withScreeningSummary,
  type RoutingPolicy,
} from '@libs/domain/policy';
import { outcomeChange } from '@libs/domain/policy-simulation';
import type { RequestInput } from '@libs/domain/request';
import type { ScreeningHit } from '@libs/domain/screening';
import { TIERS, type Tier } from '@libs/domain/vocabulary';
import {
  AuditLogRepository,
  DirectoryRepository,
  PolicyRepository,
  RequestRepository,
  type RequestEntity,
  type StoredPolicy,
} from '@libs/persistence';
import { ScreeningService } from '@libs/screening/screening.service';
import { changeReasonOf } from '../common/change-reason';
import { DomainError } from '../common/domain-error';
import { parseRequestInput } from '../requests/request.dto';
import { RequestsService } from '../requests/requests.service';

/** The most requests one simulation looks at (the oldest first from `since`); `truncated` says when there were more. */
const SIMULATION_LIMIT = 5000;

/** The request as submitted (or last amended), from the projection's columns. */
function requestInputOf(row: RequestEntity): RequestInput {
  return {
    type: row.type as RequestInput['type'],
    destinationCountry: row.destinationCountry,
    departureDate: row.departureDate,
    ...(row.returnDate ? { returnDate: row.returnDate } : {}),
    purpose: row.purpose,
    counterparties: row.counterparties,
    technologyAreas: row.technologyAreas as RequestInput['technologyAreas'],
    dataCategories: row.dataCategories as RequestInput['dataCategories'],
    details: row.details as unknown as RequestInput['details'],
    ...(row.manifest ? { manifest: row.manifest } : {}),
  };
}

/** Fields of a stored version that are not part of the document an admin edits. */
function documentOf(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { version: _v, createdBy: _b, createdAt: _a, changeReason: _r, ...document } = body as Record<string, unknown>;
  return document;
}

type Problem = { field: string; messages: string[] };

/** The policy's versions, their validation and publication, and what a policy says of a request (dry run, simulation). */
@Injectable()
export class PolicyService {
  constructor(
    private readonly requests: RequestRepository,
    private readonly directory: DirectoryRepository,
    private readonly policies: PolicyRepository,
    private readonly screening: ScreeningService,
    private readonly audit: AuditLogRepository,
    private readonly submissions: RequestsService,
  ) {}

  current(): Promise<StoredPolicy> {
    return this.policies.current();
  }

  versions() {
    return this.policies.list();
  }

  async version(version: string): Promise<StoredPolicy> {
    const found = /^\d{1,9}$/.test(version) ? await this.policies.get(Number(version)) : null;
    if (!found) throw new DomainError('NOT_FOUND', `policy version ${version.slice(0, 20)} not found`);
    return found;
  }

  async publish(person: Person, body: unknown, reasonHeader?: string): Promise<StoredPolicy> {
    const reason = changeReasonOf(reasonHeader);
    const parsed = parsePolicyDocument(documentOf(body));
    if ('problems' in parsed) throw DomainError.validation(parsed.problems);
    return this.policies.publish(parsed.document, person.email, reason);
  }

  /** A draft's problems, or the document as it would be stored, beside the version in force. */
  async validate(
    body: unknown,
  ): Promise<
    | { valid: true; problems: []; document: unknown; current: StoredPolicy }
    | { valid: false; problems: Problem[]; document: null; current: StoredPolicy }
  > {
    const parsed = parsePolicyDocument(documentOf(body));
    const current = await this.policies.current();
    if ('problems' in parsed) return { valid: false, problems: parsed.problems, document: null, current };
    return { valid: true, problems: [], document: parsed.document, current };
  }

  /** Policy impact before publishing: the requests since a day that a draft would treat differently. */
  async simulate(body: unknown) {
    const { policy, since } = (body && typeof body === 'object' ? body : {}) as { policy?: unknown; since?: unknown };
    const problems: Problem[] = [];
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

  /** Dry run: the stages, parties, authorizations and determinations a request would get, and what submit would refuse. */
  async evaluate(person: Person, body: unknown, tier?: string, version?: string) {
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
