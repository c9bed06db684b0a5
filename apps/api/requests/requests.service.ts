import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { amendUpdate, decideUpdate, withdrawUpdate, workflowIdFor, type RequestSummary } from '../../../libs/contracts';
import { initialState } from '../../../libs/domain/approval-state';
import { isMemberOf, type Person } from '../../../libs/domain/person';
import { destinationRiskOf, planRoute } from '../../../libs/domain/policy';
import type { RequestInput } from '../../../libs/domain/request';
import type { Party, Tier } from '../../../libs/domain/vocabulary';
import { RequestEntity, RequestRepository, type StoredRequest } from '../../../libs/persistence';
import { DomainError } from '../common/domain-error';
import { TemporalGateway } from '../temporal/temporal.gateway';
import type { DecisionDto } from './request.dto';
import { toRequestView, type RequestView } from './request-view';

export interface ListOptions {
  status?: string;
  type?: string;
  mine: boolean;
  limit: number;
  cursor?: string;
}

/** Stable JSON (sorted keys) so the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A UUID derived from the requester and their Idempotency-Key, so a retried submission names the same request. */
function idFromKey(requester: string, key: string): string {
  const h = createHash('sha256').update(`${requester}\n${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function encodeCursor(r: RequestEntity): string {
  return Buffer.from(JSON.stringify([r.createdAt, r.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the validation error
  }
  throw DomainError.validation([{ field: 'cursor', messages: ['cursor is not one this API gave out'] }]);
}

@Injectable()
export class RequestsService {
  private readonly logger = new Logger(RequestsService.name);

  constructor(
    private readonly requests: RequestRepository,
    private readonly temporal: TemporalGateway,
  ) {}

  static summaryOf(person: Person, input: RequestInput): RequestSummary {
    return {
      type: input.type,
      requesterEmail: person.email,
      requesterName: person.name,
      destinationCountry: input.destinationCountry,
      departureDate: input.departureDate,
      returnDate: input.returnDate,
      purpose: input.purpose,
    };
  }

  /** Records a submission and starts its workflow. A repeated Idempotency-Key answers the same request. */
  async submit(
    person: Person,
    input: RequestInput,
    idempotencyKey?: string,
  ): Promise<{ view: RequestView; created: boolean }> {
    if (!person.roles.includes('employee')) throw new DomainError('FORBIDDEN', 'only employees submit requests');
    const bodyHash = createHash('sha256').update(canonical(input)).digest('hex');
    const summary = RequestsService.summaryOf(person, input);

    if (idempotencyKey) {
      const existing = await this.requests.findByIdempotencyKey(person.email, idempotencyKey);
      if (existing) return { view: await this.replay(existing, bodyHash, summary), created: false };
    }

    const tier: Tier = person.tier ?? 'standard';
    const id = idempotencyKey ? idFromKey(person.email, idempotencyKey) : randomUUID();
    const plan = planRoute({ request: input, tier, destinationRisk: destinationRiskOf(input.destinationCountry) });
    const state = initialState(id, person.email, plan);
    const now = new Date().toISOString();
    const entity = Object.assign(new RequestEntity(), {
      id,
      type: input.type,
      status: state.status,
      requesterEmail: person.email,
      requesterTier: tier,
      destinationCountry: input.destinationCountry,
      departureDate: input.departureDate,
      returnDate: input.returnDate,
      purpose: input.purpose,
      counterparties: input.counterparties,
      technologyAreas: input.technologyAreas,
      dataCategories: input.dataCategories,
      details: input.details as unknown as Record<string, unknown>,
      policyVersion: plan.policyVersion,
      plan,
      screeningHits: [],
      workflowId: workflowIdFor(id),
      idempotencyKey: idempotencyKey ?? null,
      bodyHash,
      currentStage: state.currentStage,
      round: state.round,
      seq: state.seq,
      createdAt: now,
      updatedAt: now,
    });

    try {
      await this.requests.insertSubmission(entity, state);
    } catch (error) {
      // A concurrent retry with the same key won the insert: answer what it created.
      const raced = idempotencyKey ? await this.requests.findByIdempotencyKey(person.email, idempotencyKey) : null;
      if (raced) return { view: await this.replay(raced, bodyHash, summary), created: false };
      throw error;
    }

    try {
      await this.temporal.start({ requestId: id, summary, plan });
    } catch (error) {
      this.logger.error(`could not start the workflow of ${id}: ${String(error)}`);
      await this.requests.deleteSubmission(id);
      throw new DomainError('UNAVAILABLE', 'the workflow engine is not reachable; nothing was recorded, try again');
    }
    return { view: await this.view(id), created: true };
  }

  private async replay(existing: RequestEntity, bodyHash: string, summary: RequestSummary): Promise<RequestView> {
    if (existing.bodyHash !== bodyHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
      );
    }
    // The first attempt may have stopped between recording and starting: starting again is harmless.
    await this.temporal.start({ requestId: existing.id, summary, plan: existing.plan });
    return this.view(existing.id);
  }

  async view(id: string): Promise<RequestView> {
    const stored = await this.requests.findById(id);
    if (!stored) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    return toRequestView(stored);
  }

  /** A request the person may read, or 404 (which does not reveal whether it exists). */
  async readable(person: Person, id: string): Promise<StoredRequest> {
    const stored = await this.requests.findById(id);
    if (!stored || !this.canRead(person, stored)) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    return stored;
  }

  canRead(person: Person, stored: StoredRequest): boolean {
    if (person.roles.includes('auditor') || person.roles.includes('admin')) return true;
    if (stored.request.requesterEmail === person.email) return true;
    return stored.approvals.some((a) => isMemberOf(person, a.party as Party));
  }

  async list(person: Person, options: ListOptions): Promise<{ items: RequestView[]; nextCursor: string | null }> {
    const seesAll = person.roles.includes('auditor') || person.roles.includes('admin');
    const rows = await this.requests.list({
      status: options.status,
      type: options.type,
      requesterEmail: options.mine ? person.email : undefined,
      visibleTo: seesAll ? undefined : { email: person.email, parties: person.parties.map((m) => m.party) },
      limit: options.limit + 1,
      cursor: options.cursor ? decodeCursor(options.cursor) : undefined,
    });
    const page = rows.slice(0, options.limit);
    const nextCursor = rows.length > options.limit ? encodeCursor(page[page.length - 1].request) : null;
    return { items: page.map(toRequestView), nextCursor };
  }

  /** A decision by a member of the party (API or email link); the workflow's validator has the last word. */
  async decide(person: Person, id: string, dto: DecisionDto, via: 'api' | 'email'): Promise<RequestView> {
    const stored = await this.requests.findById(id);
    if (!stored) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    if (stored.request.requesterEmail === person.email) {
      throw new DomainError('REQUESTER_CANNOT_DECIDE', 'the requester never decides their own request');
    }
    if (!isMemberOf(person, dto.party)) {
      if (!this.canRead(person, stored)) throw new DomainError('NOT_FOUND', `request ${id} not found`);
      throw new DomainError('NOT_PARTY_MEMBER', `${person.email} is not a member of ${dto.party}`);
    }
    await this.temporal.update(id, decideUpdate, {
      party: dto.party,
      decision: dto.decision,
      actorEmail: person.email,
      onBehalfOf: null,
      comment: dto.comment ?? null,
      conditions: dto.conditions ?? [],
      decidedAt: new Date().toISOString(),
      via,
    });
    return this.view(id);
  }

  async amend(person: Person, id: string, input: RequestInput): Promise<RequestView> {
    const stored = await this.readable(person, id);
    if (stored.request.requesterEmail !== person.email)
      throw new DomainError('NOT_REQUESTER', 'only the requester may amend a request');
    if (input.type !== stored.request.type) {
      throw DomainError.validation([
        { field: 'type', messages: [`type must stay ${stored.request.type} in an amendment`] },
      ]);
    }
    await this.temporal.update(id, amendUpdate, {
      actorEmail: person.email,
      request: input,
      summary: RequestsService.summaryOf(person, input),
      amendedAt: new Date().toISOString(),
    });
    return this.view(id);
  }

  async withdraw(person: Person, id: string): Promise<RequestView> {
    const stored = await this.readable(person, id);
    if (stored.request.requesterEmail !== person.email)
      throw new DomainError('NOT_REQUESTER', 'only the requester may withdraw a request');
    await this.temporal.update(id, withdrawUpdate, { actorEmail: person.email, withdrawnAt: new Date().toISOString() });
    return this.view(id);
  }
}
