import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import {
  amendUpdate,
  correctObligationUpdate,
  decideUpdate,
  fulfilObligationUpdate,
  recordAuthorizationUpdate,
  attachMaterialDocumentUpdate,
  withdrawUpdate,
  type DecideInput,
} from '@libs/contracts';
import { correctorRefusal, ownDecisionRefusal, requesterRefusal, type RequestState } from '@libs/domain/approval-state';
import { blockedMessage, determine, type AuthorizationRecord } from '@libs/domain/authorizations';
import { delegationWindowStart, pendingDuringWindow } from '@libs/domain/delegation';
import { documentOf, materialDocumentKey } from '@libs/domain/material-documents';
import { isMemberOf, type Person } from '@libs/domain/person';
import type { RoutingPolicy } from '@libs/domain/policy';
import type { RequestInput } from '@libs/domain/request';
import type { Party } from '@libs/domain/vocabulary';
import { Keyring } from '@libs/crypto';
import {
  AuthorizationDocumentRepository,
  authorizationDocumentAad,
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  PassportRepository,
  PolicyRepository,
  RequestProjectionWriter,
  RequestRepository,
  type Delegation,
  type ReadScope,
  type RequestEntity,
  type RequestSearch,
  type StoredRequest,
} from '@libs/persistence';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import { TemporalGateway } from '../temporal/temporal.gateway';
import type { DecisionDto } from './request.dto';
import { toRequestView, type RequestView } from './request-view';
import type { TimelineReader } from './request-timeline';
import { todayUtc } from '@libs/domain/calendar-date';

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
  private readonly logger = new Logger(RequestsService.name);

  constructor(
    private readonly requests: RequestRepository,
    private readonly policies: PolicyRepository,
    private readonly delegations: DelegationRepository,
    private readonly directory: DirectoryRepository,
    private readonly conflicts: ConflictCheck,
    private readonly passports: PassportRepository,
    private readonly temporal: TemporalGateway,
    private readonly documents: AuthorizationDocumentRepository,
    private readonly keyring: Keyring,
    private readonly projection: RequestProjectionWriter,
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
  ): Promise<{ view: RequestView & { warnings?: string[] }; created: boolean }> {
    if (!person.roles.includes('employee')) throw new DomainError('FORBIDDEN', 'only employees submit requests');
    const bodyHash = createHash('sha256').update(canonical(input)).digest('hex');
    if (idempotencyKey) {
      const existing = await this.requests.findByIdempotencyKey(person.email, idempotencyKey);
      if (existing) {
        this.checkSameBody(existing, bodyHash);
        return { view: await this.view(existing.id, person), created: false };
      }
    }
    await this.checkContacts(input);
    if (input.type === 'passport_release') await this.checkRelease(person, input);
    const requestId = idempotencyKey ? idFromKey(person.email, idempotencyKey) : randomUUID();
    const policy = await this.policies.current();
    const { createdBy: _by, createdAt: _at, changeReason: _reason, ...pinned } = policy;
    // A destination the policy blocks is refused here, before anything is recorded or started.
    this.checkNotBlocked(person, input, policy);
    await this.temporal.submit({
      requestId,
      request: input,
      requester: {
        email: person.email,
        name: person.name,
        tier: person.tier ?? 'standard',
        managerEmail: person.managerEmail,
        flags: person.flags,
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
    // Lead-time warnings: an authority that usually takes longer than the time left before departure.
    const { warnings } = determine(
      { request: input, tier: person.tier ?? 'standard', flags: person.flags },
      policy,
      todayUtc(),
    );
    return { view: { ...toRequestView(stored, person), warnings }, created: true };
  }

  /** 422 with the reason and whom to contact when the policy blocks the request (its destination). */
  private checkNotBlocked(person: Person, input: RequestInput, policy: RoutingPolicy): void {
    const { blocked } = determine({ request: input, tier: person.tier ?? 'standard', flags: person.flags }, policy);
    if (blocked.length === 0) return;
    throw new DomainError('DESTINATION_BLOCKED', blockedMessage(blocked), undefined, {
      reason: blocked.map((d) => d.reason).join(' '),
      contact: blocked.find((d) => d.contact)?.contact ?? null,
      determinations: blocked.map((d) => ({
        rule: d.rule,
        outcome: d.outcome,
        reason: d.reason,
        contact: d.contact ?? null,
      })),
    });
  }

  /**
   * What submit would refuse beyond the fields themselves (a contact who is a colleague, a release
   * with no passport in custody or for a trip that is not approved), as the preview shows it: the
   * same checks, answered instead of thrown.
   */
  async submissionProblems(person: Person, input: RequestInput): Promise<Array<{ code: string; message: string }>> {
    const problems: Array<{ code: string; message: string }> = [];
    const checks = [
      () => this.checkContacts(input),
      ...(input.type === 'passport_release' ? [() => this.checkRelease(person, input)] : []),
    ];
    for (const check of checks) {
      try {
        await check();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        problems.push({ code: error.code, message: error.message });
      }
    }
    return problems;
  }

  /**
   * Counterparty contacts are people outside the company. A contact who is a person in the
   * directory is refused: what a requester writes must never look like a colleague's tie to the
   * request (conflicts of interest come only from the directory and the deal teams).
   */
  private async checkContacts(input: RequestInput): Promise<void> {
    const fields = [];
    for (const [index, counterparty] of input.counterparties.entries()) {
      const contact = counterparty.contactEmail?.trim().toLowerCase();
      if (!contact || !(await this.directory.findPerson(contact))) continue;
      fields.push({
        field: `counterparties.${index}.contactEmail`,
        messages: [`${contact} is a person in our directory; counterparty contacts are outside the company`],
      });
    }
    if (fields.length > 0) throw DomainError.validation(fields);
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
    return this.view(id, person);
  }

  /**
   * The requester, or a member of the request's security party, reopens an obligation recorded by
   * mistake; the workflow's validator has the last word (only a recorded one, on an open request).
   */
  async correctObligation(person: Person, id: string, kind: string, reason: string): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const asSecurity =
      stored.request.requesterEmail !== person.email &&
      stored.approvals.some((a) => a.party === 'security') &&
      isMemberOf(person, 'security');
    const notCorrector = correctorRefusal(stored.request.requesterEmail, { email: person.email, asSecurity });
    if (notCorrector) throw DomainError.refused(notCorrector);
    await this.temporal.update(id, correctObligationUpdate, {
      kind,
      actorEmail: person.email,
      asSecurity,
      reason,
      at: new Date().toISOString(),
    });
    return this.view(id, person);
  }

  /**
   * The requester or a compliance admin records an authority's decision on one of the request's
   * authorizations; the workflow's validator has the last word (which kinds apply, which steps follow).
   */
  async recordAuthorization(
    person: Person,
    id: string,
    kind: string,
    progress: Omit<AuthorizationRecord, 'kind' | 'actorEmail' | 'asAdmin' | 'at'>,
  ): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const asAdmin = this.checkRecordsAuthorizations(person, stored);
    if (!(stored.request.authorizations ?? []).some((a) => a.kind === kind)) {
      throw new DomainError('AUTHORIZATION_NOT_REQUIRED', `authorization ${kind} does not apply to this request`);
    }
    await this.temporal.update(id, recordAuthorizationUpdate, {
      kind,
      actorEmail: person.email,
      asAdmin,
      at: new Date().toISOString(),
      ...progress,
    });
    return this.view(id, person);
  }

  /**
   * Stores an authority's decision document sealed under the active encryption key, then records
   * its SHA-256 (never the file) on the authorization through the workflow. A document the workflow
   * refuses to record is removed again.
   */
  async attachAuthorizationDocument(
    person: Person,
    stored: StoredRequest,
    kind: string,
    upload: { bytes: Buffer; contentType: string },
  ): Promise<RequestView> {
    const id = stored.request.id;
    const asAdmin = this.checkRecordsAuthorizations(person, stored);
    await this.storeSealedThenRecord(person, id, kind, upload, (sha256, at) =>
      this.temporal.update(id, recordAuthorizationUpdate, {
        kind,
        actorEmail: person.email,
        asAdmin,
        at,
        documentSha256: sha256,
      }),
    );
    return this.view(id, person);
  }

  /**
   * Stores the file of a material on the trip manifest sealed (beside the decision documents, as
   * `material-<index>`), then records its SHA-256 through the workflow; removed again if refused.
   */
  async attachMaterialDocument(
    person: Person,
    stored: StoredRequest,
    index: number,
    upload: { bytes: Buffer; contentType: string },
  ): Promise<RequestView> {
    const id = stored.request.id;
    await this.storeSealedThenRecord(person, id, materialDocumentKey(index), upload, (sha256, at) =>
      this.temporal.update(id, attachMaterialDocumentUpdate, {
        index,
        actorEmail: person.email,
        at,
        sha256,
        contentType: upload.contentType,
        sizeBytes: upload.bytes.length,
      }),
    );
    return this.view(id, person);
  }

  /**
   * Stores a file sealed under the active key (bound to the request, its key and its SHA-256), then lets
   * `record` put the hash on the workflow; a file the workflow refuses is removed again.
   */
  private async storeSealedThenRecord(
    person: Person,
    requestId: string,
    key: string,
    upload: { bytes: Buffer; contentType: string },
    record: (sha256: string, at: string) => Promise<unknown>,
  ): Promise<void> {
    const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
    const sealed = this.keyring.seal(upload.bytes, authorizationDocumentAad(requestId, key, sha256));
    const at = new Date().toISOString();
    await this.documents.store({
      requestId,
      kind: key,
      contentType: upload.contentType,
      sizeBytes: upload.bytes.length,
      sha256,
      keyId: sealed.keyId,
      ciphertext: sealed.ciphertext,
      uploadedBy: person.email,
      uploadedAt: at,
    });
    try {
      await record(sha256, at);
    } catch (error) {
      await this.documents.discard(requestId, key, sha256);
      throw error;
    }
  }

  /** A material's file is for its requester, data governance's members, auditors and admins (403 for other readers). */
  checkReviewsMaterials(person: Person, stored: StoredRequest): void {
    const reviews =
      stored.request.requesterEmail === person.email ||
      person.roles.some((r) => r === 'admin' || r === 'auditor') ||
      isMemberOf(person, 'data_governance');
    if (!reviews) {
      throw new DomainError('FORBIDDEN', "a material's file is for its requester, data governance and auditors");
    }
  }

  /** The file of a material, opened (the caller checked who may have it: checkReviewsMaterials). */
  async materialDocument(
    stored: StoredRequest,
    index: number,
  ): Promise<{ bytes: Buffer; contentType: string; title: string }> {
    const material = stored.request.manifest?.materials[index];
    const recorded = material && documentOf(stored.request.materialDocuments, index, material.title);
    const file = recorded && (await this.documents.find(stored.request.id, materialDocumentKey(index)));
    if (!material || !recorded || !file || file.sha256 !== recorded.sha256) {
      throw new DomainError('NOT_FOUND', `material ${index} has no file`);
    }
    const bytes = this.keyring.open(
      file.keyId,
      file.ciphertext,
      authorizationDocumentAad(stored.request.id, file.kind, file.sha256),
    );
    return { bytes, contentType: file.contentType, title: material.title };
  }

  /** Only the requester or a compliance admin records authorizations (403 for other readers); true for an admin. */
  checkRecordsAuthorizations(person: Person, stored: StoredRequest): boolean {
    const asAdmin = person.roles.includes('admin');
    if (!asAdmin && stored.request.requesterEmail !== person.email) {
      throw new DomainError('FORBIDDEN', 'only the requester or a compliance admin records an authorization');
    }
    return asAdmin;
  }

  private checkSameBody(existing: RequestEntity, bodyHash: string): void {
    if (existing.bodyHash !== bodyHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
      );
    }
  }

  /** The request as this person may see it (see toRequestView: the requester never sees the list's entries). */
  async view(id: string, person: Person): Promise<RequestView> {
    const stored = await this.requests.findById(id);
    if (!stored) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    return toRequestView(stored, person);
  }

  /** A request the person may read, or 404 (which does not reveal whether it exists). */
  async readable(person: Person, id: string): Promise<StoredRequest> {
    const stored = await this.requests.findById(id);
    if (!stored || !(await this.canRead(person, stored))) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    return stored;
  }

  /**
   * Its requester, members of its parties, auditors and admins; and a delegate in force today, for
   * what the delegated party had pending during the delegation's window (see `pendingDuringWindow`).
   */
  async canRead(person: Person, stored: StoredRequest): Promise<boolean> {
    if (person.roles.includes('auditor') || person.roles.includes('admin')) return true;
    if (stored.request.requesterEmail === person.email) return true;
    const { own, delegated } = await this.readScope(person);
    const asMemberOrDelegate = stored.approvals.some(
      (a) =>
        own.includes(a.party as Party) ||
        delegated.some(
          (d) => d.parties.includes(a.party as Party) && pendingDuringWindow(a, stored.request.status, d.since),
        ),
    );
    if (asMemberOrDelegate) return true;
    return (await this.conflicts.assignedParties(stored.request.id, person.email)).length > 0;
  }

  /** Which of a request's emails this person sees on its timeline (see `emailsShownTo`). */
  async timelineReader(person: Person, stored: StoredRequest): Promise<TimelineReader> {
    const seesEveryEmail =
      person.roles.includes('auditor') ||
      person.roles.includes('admin') ||
      stored.request.requesterEmail.toLowerCase() === person.email.toLowerCase();
    if (seesEveryEmail) return { email: person.email, seesEveryEmail, parties: [] };
    const assigned = await this.conflicts.assignedParties(stored.request.id, person.email);
    return { email: person.email, seesEveryEmail, parties: [...(await this.partiesOf(person)), ...assigned] };
  }

  async list(person: Person, options: ListOptions): Promise<{ items: RequestView[]; nextCursor: string | null }> {
    const seesAll = person.roles.includes('auditor') || person.roles.includes('admin');
    const rows = await this.requests.list({
      status: options.status,
      type: options.type,
      requesterEmail: options.mine ? person.email : undefined,
      visibleTo: seesAll ? undefined : { email: person.email, ...(await this.readScope(person)) },
      limit: options.limit + 1,
      cursor: options.cursor ? decodeCursor(options.cursor) : undefined,
      search: options.search,
    });
    const page = rows.slice(0, options.limit);
    const nextCursor = rows.length > options.limit ? encodeCursor(page[page.length - 1].request) : null;
    return { items: page.map((stored) => toRequestView(stored, person)), nextCursor };
  }

  /** The absent approvers whose active delegation names this person. */
  async standingInFor(person: Person): Promise<Person[]> {
    return (await this.delegationsTo(person)).map((d) => d.delegator);
  }

  /** Active delegations naming this person, with their delegators as the directory has them now. */
  private async delegationsTo(person: Person): Promise<Array<{ delegator: Person; since: string }>> {
    const today = todayUtc();
    const delegations = await this.delegations.activeDelegators(person.email, today);
    const found = await Promise.all(
      delegations.map(async (d) => ({ delegator: await this.directory.findPerson(d.delegatorEmail), d })),
    );
    return found
      .filter((f): f is { delegator: Person; d: Delegation } => f.delegator !== null)
      .map(({ delegator, d }) => ({ delegator, since: delegationWindowStart(d) }));
  }

  /**
   * What a person reads as an approver: every request of their own parties, and through each
   * delegation in force, the delegator's other parties bounded by that delegation's window.
   */
  async readScope(person: Person): Promise<ReadScope> {
    const own = [...new Set(person.parties.map((m) => m.party))];
    const delegated = (await this.delegationsTo(person))
      .map(({ delegator, since }) => ({
        parties: [...new Set(delegator.parties.map((m) => m.party))].filter((p) => !own.includes(p)),
        since,
      }))
      .filter((d) => d.parties.length > 0);
    return { own, delegated };
  }

  /** The parties a person acts for: their own and, while a delegation is active, their delegators'. */
  async partiesOf(person: Person): Promise<Party[]> {
    const absent = await this.standingInFor(person);
    return [...new Set([...person.parties, ...absent.flatMap((p) => p.parties)].map((m) => m.party))];
  }

  /**
   * Who a person decides as, for a party of a request: themselves, when they are a member or lead of
   * the party or the reviewer an admin assigned to that party of that request. A delegate is a member
   * or lead of the party too (a delegation to anyone else lets nobody decide, even one stored before
   * that rule), so they decide as themselves here; only an email link sent on an absent member's
   * behalf records whom they stood in for. Refuses otherwise.
   */
  async actingAs(person: Person, party: Party, requestId: string): Promise<{ onBehalfOf: string | null }> {
    if (isMemberOf(person, party)) return { onBehalfOf: null };
    if (await this.conflicts.isAssigned(requestId, party, person.email)) return { onBehalfOf: null };
    throw new DomainError('NOT_PARTY_MEMBER', `${person.email} is not a member (nor an assigned reviewer) of ${party}`);
  }

  /**
   * A decision by a member of the party or their delegate (API, email link or bulk); the workflow's
   * validator has the last word. It is bound to the round the decider saw (the link's, the form's),
   * or else to the round of the view read here, so it never lands on a request amended in between.
   */
  async decide(
    person: Person,
    id: string,
    dto: DecisionDto,
    via: DecideInput['via'],
    acting?: { onBehalfOf: string | null },
  ): Promise<RequestView> {
    // Acting for someone (an email link's delegation) reads the request as them; anyone else must read it.
    const stored = acting ? await this.requests.findById(id) : await this.readable(person, id);
    if (!stored) throw new DomainError('NOT_FOUND', `request ${id} not found`);
    const own = ownDecisionRefusal(stored.request.requesterEmail, [person.email]);
    if (own) throw DomainError.refused(own);
    const { onBehalfOf } = acting ?? (await this.actingAs(person, dto.party, id));
    const conflictOf = await this.conflicts.forRequest(stored);
    const conflict = conflictOf(person.email) ?? (onBehalfOf ? conflictOf(onBehalfOf) : null);
    if (conflict)
      throw new DomainError('CONFLICT_OF_INTEREST', `${conflict}; another member or a lead of ${dto.party} decides`);
    const decision: DecideInput = {
      party: dto.party,
      decision: dto.decision,
      actorEmail: person.email,
      onBehalfOf,
      comment: dto.comment ?? null,
      conditions: dto.conditions ?? [],
      decidedAt: new Date().toISOString(),
      via,
      round: dto.round ?? stored.request.round,
    };
    const { unprojected, ...state } = await this.temporal
      .update(id, decideUpdate, decision)
      .catch(async (error: unknown) => {
        // The answer was lost, not necessarily the decision: have the workflow write what it holds, so the
        // records (and the link page that looks there next) show the decision if it landed.
        if (error instanceof DomainError && error.code === 'UNAVAILABLE') await this.temporal.catchUp(id);
        throw error;
      });
    // A decision that left its stage open is in the history but not yet in the database: write it here
    // (seq-guarded, its decision and audit entry kept once), so every read after this answer shows it.
    if (unprojected) await this.writeDecision(state, decision);
    return this.view(id, person);
  }

  /**
   * Writes a state the workflow answered without writing. A failure loses nothing: the history holds
   * the decision, and the workflow, asked to catch up, writes it from its own record (or, if it cannot
   * be reached, with its next write).
   */
  private async writeDecision(state: RequestState, decision: DecideInput): Promise<void> {
    try {
      await this.projection.projectState({ state, decision }, new Date().toISOString());
    } catch (error) {
      this.logger.warn(
        `request ${state.requestId}: the decision of ${decision.party} is recorded, but writing it failed (the workflow is asked to write it): ${String(error)}`,
      );
      await this.temporal.catchUp(state.requestId);
    }
  }

  /** `reply`: the requester's answer to the reviewers who asked for changes (trimmed; absent or empty for none). */
  async amend(person: Person, id: string, input: RequestInput, reply?: string): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const notRequester = requesterRefusal('amend', stored.request.requesterEmail, person.email);
    if (notRequester) throw DomainError.refused(notRequester);
    if (input.type !== stored.request.type) {
      throw DomainError.validation([
        { field: 'type', messages: [`type must stay ${stored.request.type} in an amendment`] },
      ]);
    }
    await this.checkContacts(input);
    // The amended release must hold what a submitted one does: a passport in custody, an approved trip.
    if (input.type === 'passport_release') await this.checkRelease(person, input);
    // An amendment may not take the request where its pinned policy blocks.
    const pinned = await this.policies.get(stored.request.policyVersion);
    if (pinned) this.checkNotBlocked(person, input, pinned);
    await this.temporal.update(id, amendUpdate, {
      actorEmail: person.email,
      request: input,
      amendedAt: new Date().toISOString(),
      ...(reply ? { reply } : {}),
    });
    return this.view(id, person);
  }

  async withdraw(person: Person, id: string, reason: string | null = null): Promise<RequestView> {
    const stored = await this.readable(person, id);
    const notRequester = requesterRefusal('withdraw', stored.request.requesterEmail, person.email);
    if (notRequester) throw DomainError.refused(notRequester);
    await this.temporal.update(id, withdrawUpdate, {
      actorEmail: person.email,
      withdrawnAt: new Date().toISOString(),
      ...(reason ? { reason } : {}),
    });
    return this.view(id, person);
  }
}
