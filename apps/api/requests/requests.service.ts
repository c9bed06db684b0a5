import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import {
  amendUpdate,
  decideUpdate,
  fulfilObligationUpdate,
  withdrawUpdate,
  type DecideInput,
} from '../../../libs/contracts';
import { ownDecisionRefusal, requesterRefusal } from '../../../libs/domain/approval-state';
import { isMemberOf, type Person } from '../../../libs/domain/person';
import type { RequestInput } from '../../../libs/domain/request';
import type { Party } from '../../../libs/domain/vocabulary';
import {
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  PassportRepository,
  PolicyRepository,
  RequestRepository,
  type RequestEntity,
  type RequestSearch,
  type StoredRequest,
} from '../../../libs/persistence';
import { decodeCursor, encodeCursor } from '../common/cursor';
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
  /** Free-text and field filters (auditors' search). */
  search?: RequestSearch;
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

@Injectable()
export class RequestsService {
  constructor(
    private readonly requests: RequestRepository,
    private readonly policies: PolicyRepository,
    private readonly delegations: DelegationRepository,
    private readonly directory: DirectoryRepository,
    private readonly conflicts: ConflictCheck,
    private readonly passports: PassportRepository,
    private readonly temporal: TemporalGateway,
  ) {}

  /**
   * Submits a request: its workflow screens the counterparties, plans the route from the policy
   * version in force (pinned in the workflow's input) and records it. A repeated Idempotency-Key
   * answers the same request; the same key with another body is refused.
   */
  async submit(
    person: Person,
    input: RequestInput,
    idempotencyKey?: string,
  ): Promise<{ view: RequestView; created: boolean }> {
    if (!person.roles.includes('employee')) throw new DomainError('FORBIDDEN', 'only employees submit requests');
    const bodyHash = createHash('sha256').update(canonical(input)).digest('hex');
    if (idempotencyKey) {
      const existing = await this.requests.findByIdempotencyKey(person.email, idempotencyKey);
      if (existing) {
        this.checkSameBody(existing, bodyHash);
        return { view: await this.view(existing.id), created: false };
      }
    }
    if (input.type === 'passport_release') await this.checkRelease(person, input);
    const requestId = idempotencyKey ? idFromKey(person.email, idempotencyKey) : randomUUID();
    const policy = await this.policies.current();
    const { createdBy: _by, createdAt: _at, ...pinned } = policy;
    await this.temporal.submit({
      requestId,
      request: input,
      requester: {
        email: person.email,
        name: person.name,
        tier: person.tier ?? 'standard',
        managerEmail: person.managerEmail,
      },
      policy: pinned,
      submittedAt: new Date().toISOString(),
      idempotencyKey: idempotencyKey ?? null,
      bodyHash,
    });
    const stored = await this.requests.findById(requestId);
    if (!stored) throw new DomainError('UNAVAILABLE', 'the request was accepted but is not readable yet; try again');
    // With a key, this call may have found a submission already running under it.
    this.checkSameBody(stored.request, bodyHash);
    return { view: toRequestView(stored), created: true };
  }

  /** A release needs a passport in custody, and a linked trip must be an approved request of the same person. */
  private async checkRelease(person: Person, input: RequestInput): Promise<void> {
    if (!(await this.passports.inCustodyFor(person.email))) {
      throw new DomainError(
        'NO_PASSPORT_IN_CUSTODY',
        'none of your passports is in company custody, so there is nothing to release; ask the custodian to record the deposit first',
      );
    }
    const { travelRequestId } = input.details as { travelRequestId?: string };
    if (!travelRequestId) return;
    const trip = await this.requests.findById(travelRequestId.toLowerCase());
    if (
      !trip ||
      trip.request.requesterEmail !== person.email ||
      !['approved', 'closed'].includes(trip.request.status)
    ) {
      throw new DomainError(
        'TRAVEL_REQUEST_NOT_APPROVED',
        `details.travelRequestId ${travelRequestId} is not an approved request of yours: a release must serve an approved trip`,
      );
    }
  }

  /** The requester records an obligation of their approved request as met. */
  async fulfilObligation(person: Person, id: string, kind: string, note: string | null): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const notRequester = requesterRefusal('fulfil', stored.request.requesterEmail, person.email);
    if (notRequester) throw DomainError.refused(notRequester);
    await this.temporal.update(id, fulfilObligationUpdate, {
      kind,
      actorEmail: person.email,
      at: new Date().toISOString(),
      note,
    });
    return this.view(id);
  }

  private checkSameBody(existing: RequestEntity, bodyHash: string): void {
    if (existing.bodyHash !== bodyHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
      );
    }
  }

  async view(id: string): Promise<RequestView> {
    const stored = await this.requests.findById(id);
    if (!stored) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    return toRequestView(stored);
  }

  /** A request the person may read, or 404 (which does not reveal whether it exists). */
  async readable(person: Person, id: string): Promise<StoredRequest> {
    const stored = await this.requests.findById(id);
    if (!stored || !(await this.canRead(person, stored))) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    return stored;
  }

  /** Its requester, members of its parties (and their active delegates), auditors and admins. */
  async canRead(person: Person, stored: StoredRequest): Promise<boolean> {
    if (person.roles.includes('auditor') || person.roles.includes('admin')) return true;
    if (stored.request.requesterEmail === person.email) return true;
    const parties = await this.partiesOf(person);
    return stored.approvals.some((a) => parties.includes(a.party as Party));
  }

  async list(person: Person, options: ListOptions): Promise<{ items: RequestView[]; nextCursor: string | null }> {
    const seesAll = person.roles.includes('auditor') || person.roles.includes('admin');
    const rows = await this.requests.list({
      status: options.status,
      type: options.type,
      requesterEmail: options.mine ? person.email : undefined,
      visibleTo: seesAll ? undefined : { email: person.email, parties: await this.partiesOf(person) },
      limit: options.limit + 1,
      cursor: options.cursor ? decodeCursor(options.cursor) : undefined,
      search: options.search,
    });
    const page = rows.slice(0, options.limit);
    const nextCursor = rows.length > options.limit ? encodeCursor(page[page.length - 1].request) : null;
    return { items: page.map(toRequestView), nextCursor };
  }

  /** The absent approvers whose active delegation names this person. */
  async standingInFor(person: Person): Promise<Person[]> {
    const today = new Date().toISOString().slice(0, 10);
    const delegations = await this.delegations.activeDelegators(person.email, today);
    const people = await Promise.all(delegations.map((d) => this.directory.findPerson(d.delegatorEmail)));
    return people.filter((p): p is Person => p !== null);
  }

  /** The parties a person acts for: their own and, while a delegation is active, their delegators'. */
  async partiesOf(person: Person): Promise<Party[]> {
    const absent = await this.standingInFor(person);
    return [...new Set([...person.parties, ...absent.flatMap((p) => p.parties)].map((m) => m.party))];
  }

  /**
   * Who a person decides as, for a party: themselves when they are a member, or the absent member
   * whose active delegation names them. Refuses with the reason otherwise.
   */
  async actingAs(person: Person, party: Party): Promise<{ onBehalfOf: string | null }> {
    if (isMemberOf(person, party)) return { onBehalfOf: null };
    const standIn = (await this.standingInFor(person)).find((absent) => isMemberOf(absent, party));
    if (standIn) return { onBehalfOf: standIn.email };
    throw new DomainError(
      'NOT_PARTY_MEMBER',
      `${person.email} is not a member (nor an active delegate of a member) of ${party}`,
    );
  }

  /** A decision by a member of the party or their delegate (API, email link or bulk); the workflow's validator has the last word. */
  async decide(
    person: Person,
    id: string,
    dto: DecisionDto,
    via: DecideInput['via'],
    acting?: { onBehalfOf: string | null },
  ): Promise<RequestView> {
    const stored = await this.requests.findById(id);
    if (!stored) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    const own = ownDecisionRefusal(stored.request.requesterEmail, [person.email]);
    if (own) throw DomainError.refused(own);
    let onBehalfOf: string | null;
    try {
      ({ onBehalfOf } = acting ?? (await this.actingAs(person, dto.party)));
    } catch (error) {
      if (!(await this.canRead(person, stored))) throw new DomainError('NOT_FOUND', `request ${id} not found`);
      throw error;
    }
    const conflictOf = await this.conflicts.forRequest(stored);
    const conflict = conflictOf(person.email) ?? (onBehalfOf ? conflictOf(onBehalfOf) : null);
    if (conflict)
      throw new DomainError('CONFLICT_OF_INTEREST', `${conflict}; another member or a lead of ${dto.party} decides`);
    await this.temporal.update(id, decideUpdate, {
      party: dto.party,
      decision: dto.decision,
      actorEmail: person.email,
      onBehalfOf,
      comment: dto.comment ?? null,
      conditions: dto.conditions ?? [],
      decidedAt: new Date().toISOString(),
      via,
    });
    return this.view(id);
  }

  async amend(person: Person, id: string, input: RequestInput): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const notRequester = requesterRefusal('amend', stored.request.requesterEmail, person.email);
    if (notRequester) throw DomainError.refused(notRequester);
    if (input.type !== stored.request.type) {
      throw DomainError.validation([
        { field: 'type', messages: [`type must stay ${stored.request.type} in an amendment`] },
      ]);
    }
    await this.temporal.update(id, amendUpdate, {
      actorEmail: person.email,
      request: input,
      amendedAt: new Date().toISOString(),
    });
    return this.view(id);
  }

  async withdraw(person: Person, id: string): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const notRequester = requesterRefusal('withdraw', stored.request.requesterEmail, person.email);
    if (notRequester) throw DomainError.refused(notRequester);
    await this.temporal.update(id, withdrawUpdate, { actorEmail: person.email, withdrawnAt: new Date().toISOString() });
    return this.view(id);
  }
}
