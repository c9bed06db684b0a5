import { Brackets, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { workflowIdFor, type DecideInput, type ProjectStateInput, type RecordSubmissionInput } from '../contracts';
import type { RequestState } from '../domain/approval-state';
import { dealNameOf, type RequestInput } from '../domain/request';
import type { Party } from '../domain/vocabulary';
import { AuditLogRepository, type AuditEntry } from './audit-log.repository';
import { ApprovalEntity, DecisionEntity, ObligationEntity, RequestEntity } from './entities';

export interface StoredRequest {
  request: RequestEntity;
  approvals: ApprovalEntity[];
  obligations: ObligationEntity[];
}

export interface ListFilter {
  status?: string;
  type?: string;
  requesterEmail?: string;
  /** Limits to requests the caller may read; undefined means everything (auditors, admins). */
  visibleTo?: { email: string; parties: Party[] };
  limit: number;
  cursor?: { createdAt: string; id: string };
  search?: RequestSearch;
}

/** Auditors' search: parts of fields (case-insensitive), a destination, created between two days (UTC). */
export interface RequestSearch {
  q?: string;
  requester?: string;
  destination?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  /** YYYY-MM-DD, inclusive. */
  to?: string;
}

/** The columns free text is looked for in (JSON columns as their stored text). */
const SEARCHED_COLUMNS = [
  'r.id',
  'r.requester_email',
  'r.destination_country',
  'r.type',
  'r.status',
  'r.purpose',
  'r.counterparties',
  'r.technology_areas',
  'r.data_categories',
  'r.details',
];

/** A LIKE pattern matching `text` anywhere, with its own %, _ and \ taken literally (ESCAPE '\'). */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The day after a YYYY-MM-DD day, as YYYY-MM-DD. */
function dayAfter(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function applySearch(qb: SelectQueryBuilder<RequestEntity>, search: RequestSearch): void {
  if (search.q) {
    const like = SEARCHED_COLUMNS.map((column) => `LOWER(${column}) LIKE LOWER(:sq) ESCAPE '\\'`).join(' OR ');
    qb.andWhere(`(${like})`, { sq: containsPattern(search.q) });
  }
  if (search.requester) {
    qb.andWhere(`LOWER(r.requester_email) LIKE LOWER(:sRequester) ESCAPE '\\'`, {
      sRequester: containsPattern(search.requester),
    });
  }
  if (search.destination) qb.andWhere('r.destination_country = :sDestination', { sDestination: search.destination });
  if (search.from) qb.andWhere('r.created_at >= :sFrom', { sFrom: search.from });
  if (search.to) qb.andWhere('r.created_at < :sTo', { sTo: dayAfter(search.to) });
}

export interface InboxRow {
  request: RequestEntity;
  approval: ApprovalEntity;
}

function approvalRows(state: RequestState): ApprovalEntity[] {
  return state.stages.flatMap((stage) =>
    stage.approvals.map((a) =>
      Object.assign(new ApprovalEntity(), {
        requestId: state.requestId,
        party: a.party,
        stageIndex: stage.index,
        stageStatus: stage.status,
        status: a.status,
        reasons: a.reasons,
        quorum: a.quorum,
        approvedBy: a.approvedBy,
        decidedBy: a.decidedBy,
        onBehalfOf: a.onBehalfOf,
        comment: a.comment,
        conditions: a.conditions,
        decidedAt: a.decidedAt,
      }),
    ),
  );
}

/** What one projected state adds to the audit log: the decision, the new state, newly fulfilled obligations. */
/** The columns that hold what was asked (written at submission and again by an amendment). */
function requestColumns(request: RequestInput) {
  return {
    destinationCountry: request.destinationCountry,
    departureDate: request.departureDate,
    returnDate: request.returnDate,
    purpose: request.purpose,
    counterparties: request.counterparties,
    technologyAreas: request.technologyAreas,
    dataCategories: request.dataCategories,
    details: request.details as never,
  };
}

/** One decision row per state that a decision produced. */
const decisionId = (state: RequestState) => `${state.requestId}:${state.seq}`;

/** A decision as the records keep it: the decision log's row and the audit log's payload. */
function decisionRecord(state: RequestState, decision: DecideInput) {
  return {
    requestId: state.requestId,
    party: decision.party,
    decision: decision.decision,
    decidedBy: decision.actorEmail.toLowerCase(),
    onBehalfOf: decision.onBehalfOf ?? null,
    comment: decision.comment?.trim() || null,
    conditions: decision.decision === 'approve' ? (decision.conditions ?? []) : [],
    round: state.round,
    via: decision.via,
    decidedAt: decision.decidedAt,
  };
}

function decisionAuditEntry(state: RequestState, decision: DecideInput): AuditEntry {
  return {
    requestId: state.requestId,
    event: 'decision.recorded',
    actor: decision.actorEmail.toLowerCase(),
    payload: decisionRecord(state, decision),
  };
}

function auditEntriesFor({ state, decision }: ProjectStateInput, fulfilledBefore: Set<string>): AuditEntry[] {
  const entries: AuditEntry[] = [];
  if (decision) entries.push(decisionAuditEntry(state, decision));
  entries.push({
    requestId: state.requestId,
    event: 'request.state',
    actor: decision ? decision.actorEmail.toLowerCase() : null,
    payload: {
      requestId: state.requestId,
      status: state.status,
      currentStage: state.currentStage,
      round: state.round,
      seq: state.seq,
      approvals: state.stages.flatMap((stage) =>
        stage.approvals.map((a) => ({ stage: stage.index, party: a.party, status: a.status })),
      ),
    },
  });
  for (const o of state.obligations) {
    if (o.status !== 'fulfilled' || fulfilledBefore.has(o.kind)) continue;
    entries.push({
      requestId: state.requestId,
      event: 'obligation.fulfilled',
      actor: o.fulfilledBy,
      payload: { requestId: state.requestId, kind: o.kind, fulfilledBy: o.fulfilledBy, fulfilledAt: o.fulfilledAt },
    });
  }
  return entries;
}

/** Reads and writes the request projection. The workflow is the only writer after submission. */
export class RequestRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /**
   * Records a submission (the workflow's first step) with its plan and initial approvals in one
   * transaction. Idempotent: a retried activity finds the row and leaves it.
   */
  async recordSubmission({ workflow, plan, state }: RecordSubmissionInput, now: string): Promise<void> {
    await this.audit.writeTransaction(async (manager) => {
      if (await manager.getRepository(RequestEntity).existsBy({ id: workflow.requestId })) return;
      const { request, requester } = workflow;
      await manager.getRepository(RequestEntity).insert({
        id: workflow.requestId,
        type: request.type,
        status: state.status,
        requesterEmail: requester.email,
        requesterTier: requester.tier,
        ...requestColumns(request),
        policyVersion: plan.policyVersion,
        plan: plan as never,
        screeningHits: plan.screeningHits as never,
        workflowId: workflowIdFor(workflow.requestId),
        idempotencyKey: workflow.idempotencyKey,
        bodyHash: workflow.bodyHash,
        currentStage: state.currentStage,
        round: state.round,
        seq: state.seq,
        createdAt: workflow.submittedAt,
        updatedAt: now,
      });
      await manager.getRepository(ApprovalEntity).insert(approvalRows(state));
      await this.audit.append(
        [
          {
            requestId: workflow.requestId,
            event: 'request.submitted',
            actor: requester.email,
            payload: {
              requestId: workflow.requestId,
              type: request.type,
              requester: { email: requester.email, tier: requester.tier },
              policyVersion: plan.policyVersion,
              stages: plan.stages.map((stage) => ({ index: stage.index, parties: stage.parties.map((p) => p.party) })),
              screeningHits: plan.screeningHits.length,
              submittedAt: workflow.submittedAt,
            },
          },
        ],
        manager,
      );
    });
  }

  async findById(id: string): Promise<StoredRequest | null> {
    if (!id) return null;
    const request = await this.dataSource.getRepository(RequestEntity).findOneBy({ id });
    if (!request) return null;
    const approvals = await this.dataSource
      .getRepository(ApprovalEntity)
      .find({ where: { requestId: id }, order: { stageIndex: 'ASC', party: 'ASC' } });
    const obligations = await this.dataSource
      .getRepository(ObligationEntity)
      .find({ where: { requestId: id }, order: { kind: 'ASC' } });
    return { request, approvals, obligations };
  }

  async findByIdempotencyKey(requesterEmail: string, key: string): Promise<RequestEntity | null> {
    return this.dataSource.getRepository(RequestEntity).findOneBy({ requesterEmail, idempotencyKey: key });
  }

  async decisionsFor(requestId: string): Promise<DecisionEntity[]> {
    return this.dataSource.getRepository(DecisionEntity).find({ where: { requestId }, order: { decidedAt: 'ASC' } });
  }

  /**
   * People who asked to take part in a deal of this name (a conflict of interest for its approvers).
   * Deal names live in the JSON details, so the match is made here, portably, on the open requests.
   */
  async dealParticipants(dealName: string): Promise<string[]> {
    const wanted = dealName.trim().toLowerCase();
    const deals = await this.dataSource
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .where("r.type = 'ma_participation'")
      .andWhere("r.status NOT IN ('withdrawn', 'rejected', 'expired')")
      .getMany();
    const named = deals.filter((r) => dealNameOf(r.details).trim().toLowerCase() === wanted);
    return [...new Set(named.map((r) => r.requesterEmail))];
  }

  /**
   * Writes a workflow state. Writes carry the state's sequence number and only a newer state
   * replaces an older one, so retried or reordered activity calls never move the projection back.
   * Returns false when the write was stale (already applied).
   */
  async projectState(input: ProjectStateInput, now: string): Promise<boolean> {
    const { state } = input;
    return this.audit.writeTransaction(async (manager: EntityManager) => {
      const amended = input.amendedRequest ? requestColumns(input.amendedRequest) : {};
      const result = await manager
        .createQueryBuilder()
        .update(RequestEntity)
        .set({
          status: state.status,
          currentStage: state.currentStage,
          round: state.round,
          seq: state.seq,
          updatedAt: now,
          ...amended,
        })
        .where('id = :id AND seq < :seq', { id: state.requestId, seq: state.seq })
        .execute();
      if (!result.affected) {
        // A later state is stored already: the writes of one workflow task (several Updates applied
        // at once) may commit out of order, and a retried write finds its own. The state stays, but
        // the decision this write carries is a fact of its own: keep it (once) with its audit entry.
        if (input.decision && !(await manager.getRepository(DecisionEntity).existsBy({ id: decisionId(state) }))) {
          await manager
            .getRepository(DecisionEntity)
            .insert({ id: decisionId(state), ...decisionRecord(state, input.decision) });
          await this.audit.append([decisionAuditEntry(state, input.decision)], manager);
        }
        return false;
      }
      const fulfilledBefore = new Set(
        (await manager.getRepository(ObligationEntity).findBy({ requestId: state.requestId, status: 'fulfilled' })).map(
          (o) => o.kind,
        ),
      );
      await manager.getRepository(ApprovalEntity).save(approvalRows(state));
      if (state.obligations.length > 0) {
        await manager
          .getRepository(ObligationEntity)
          .save(
            state.obligations.map((o) =>
              Object.assign(new ObligationEntity(), { requestId: state.requestId, note: null, ...o }),
            ),
          );
      } else {
        await manager.getRepository(ObligationEntity).delete({ requestId: state.requestId });
      }
      const decision = input.decision;
      if (decision) {
        await manager
          .getRepository(DecisionEntity)
          .insert({ id: decisionId(state), ...decisionRecord(state, decision) });
      }
      await this.audit.append(auditEntriesFor(input, fulfilledBefore), manager);
      return true;
    });
  }

  async list(filter: ListFilter): Promise<StoredRequest[]> {
    const qb = this.dataSource.getRepository(RequestEntity).createQueryBuilder('r');
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.type) qb.andWhere('r.type = :type', { type: filter.type });
    if (filter.requesterEmail) qb.andWhere('r.requester_email = :requester', { requester: filter.requesterEmail });
    if (filter.search) applySearch(qb, filter.search);
    if (filter.visibleTo) {
      const { email, parties } = filter.visibleTo;
      qb.andWhere(
        new Brackets((w) => {
          w.where('r.requester_email = :me', { me: email });
          if (parties.length > 0) {
            w.orWhere('r.id IN (SELECT a.request_id FROM approvals a WHERE a.party IN (:...parties))', { parties });
          }
        }),
      );
    }
    if (filter.cursor) {
      qb.andWhere(
        new Brackets((w) => {
          w.where('r.created_at < :cAt', { cAt: filter.cursor!.createdAt }).orWhere(
            '(r.created_at = :cAt AND r.id < :cId)',
            {
              cAt: filter.cursor!.createdAt,
              cId: filter.cursor!.id,
            },
          );
        }),
      );
    }
    const requests = await qb.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').limit(filter.limit).getMany();
    return this.withApprovals(requests);
  }

  /** Pending approvals of the given parties on pending requests, oldest first, never the caller's own. */
  async inbox(parties: Party[], excludeRequester: string): Promise<InboxRow[]> {
    if (parties.length === 0) return [];
    const approvals = await this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .innerJoin(RequestEntity, 'r', 'r.id = a.request_id')
      .where('a.party IN (:...parties)', { parties })
      .andWhere("a.status = 'pending'")
      .andWhere("r.status = 'pending'")
      .andWhere('r.requester_email <> :me', { me: excludeRequester })
      .orderBy('r.created_at', 'ASC')
      .getMany();
    if (approvals.length === 0) return [];
    const requests = await this.dataSource
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .where('r.id IN (:...ids)', { ids: [...new Set(approvals.map((a) => a.requestId))] })
      .getMany();
    const byId = new Map(requests.map((r) => [r.id, r]));
    return approvals.map((approval) => ({ approval, request: byId.get(approval.requestId)! }));
  }

  private async withApprovals(requests: RequestEntity[]): Promise<StoredRequest[]> {
    if (requests.length === 0) return [];
    const approvals = await this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .where('a.request_id IN (:...ids)', { ids: requests.map((r) => r.id) })
      .orderBy('a.stage_index', 'ASC')
      .addOrderBy('a.party', 'ASC')
      .getMany();
    const obligations = await this.dataSource
      .getRepository(ObligationEntity)
      .createQueryBuilder('o')
      .where('o.request_id IN (:...ids)', { ids: requests.map((r) => r.id) })
      .orderBy('o.kind', 'ASC')
      .getMany();
    return requests.map((request) => ({
      request,
      approvals: approvals.filter((a) => a.requestId === request.id),
      obligations: obligations.filter((o) => o.requestId === request.id),
    }));
  }
}
