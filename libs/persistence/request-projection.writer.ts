import type { DataSource, EntityManager } from 'typeorm';
import {
  workflowIdFor,
  type AmendmentRecord,
  type DecideInput,
  type ProjectStateInput,
  type RecordSubmissionInput,
} from '../contracts';
import type { AuthorizationRecord } from '../domain/authorizations';
import type { MaterialDocumentRecord } from '../domain/material-documents';
import { dueDates } from '../domain/due-dates';
import { manifestOrNull } from '../domain/manifest';
import type { RoutePlan } from '../domain/policy/evaluate';
import type { RequestState } from '../domain/approval-state';
import { normalizedDealName, type RequestInput } from '../domain/request';
import { AuditLogRepository, type AuditEntry } from './audit-log.repository';
import { nextRequestReference } from './request-reference';
import { ApprovalEntity, DecisionEntity, ObligationEntity, RequestEntity } from './entities';

type Asked = Pick<ApprovalEntity, 'party' | 'status' | 'stageStatus' | 'askedAt' | 'dueAt'>;

/** Whether a party is asked: pending in an active stage. */
const isAsked = (stageStatus: string, status: string): boolean => stageStatus === 'active' && status === 'pending';

/**
 * When a party was asked: kept while it stays asked (pending in an active stage), `now` when it is
 * asked (again: an amendment sends it back to pending), and kept as it was once it has decided.
 */
function askedAt(stageStatus: string, status: string, before: Asked | undefined, now: string): string | null {
  if (!isAsked(stageStatus, status)) return before?.askedAt ?? null;
  return before && isAsked(before.stageStatus, before.status) && before.askedAt ? before.askedAt : now;
}

/**
 * The approvals of a state as rows. `plan` (the request's pinned plan) dates an asked party's due date
 * (`dueDates`, libs/domain/due-dates.ts); `null` keeps the due date stored for an asking that goes on,
 * which is all a write needs unless someone is newly asked or the plan changed (`needsPlan`).
 */
function approvalRows(
  state: RequestState,
  now: string,
  before: Asked[] = [],
  plan: Pick<RoutePlan, 'stages'> | null = null,
): ApprovalEntity[] {
  const stored = new Map(before.map((b) => [b.party, b]));
  return state.stages.flatMap((stage) =>
    stage.approvals.map((a) => {
      const was = stored.get(a.party);
      const asked = askedAt(stage.status, a.status, was, now);
      const awaited = isAsked(stage.status, a.status);
      const dueAt = !awaited
        ? null
        : plan
          ? dueDates(plan, a.party, asked).dueAt
          : was?.askedAt === asked
            ? (was?.dueAt ?? null)
            : null;
      return Object.assign(new ApprovalEntity(), {
        askedAt: asked,
        dueAt,
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
      });
    }),
  );
}

/** Whether writing `state` over `before` asks a party anew (or the stored due date is missing): then the plan is read. */
function needsPlan(state: RequestState, now: string, before: Asked[]): boolean {
  const stored = new Map(before.map((b) => [b.party, b]));
  return state.stages.some((stage) =>
    stage.approvals.some((a) => {
      if (!isAsked(stage.status, a.status)) return false;
      const was = stored.get(a.party);
      return !was || was.dueAt === null || was.askedAt !== askedAt(stage.status, a.status, was, now);
    }),
  );
}

/** The columns that hold what was asked (written by `recordSubmission` and again by an amendment's `projectState`). */
function requestColumns(request: RequestInput) {
  return {
    destinationCountry: request.destinationCountry,
    departureDate: request.departureDate,
    // null, not undefined: an amendment into a permanent move must clear the stored date
    returnDate: request.returnDate ?? null,
    purpose: request.purpose,
    counterparties: request.counterparties,
    technologyAreas: request.technologyAreas,
    dataCategories: request.dataCategories,
    details: request.details as never,
    manifest: manifestOrNull(request.manifest),
    dealName: normalizedDealName(request.details as unknown as Record<string, unknown>),
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

/** An authority's decision as the audit log keeps it: what was recorded, by whom; a document by its hash only. */
function authorizationAuditEntry(state: RequestState, record: AuthorizationRecord): AuditEntry {
  const now = (state.authorizations ?? []).find((a) => a.kind === record.kind);
  return {
    requestId: state.requestId,
    event: 'authorization.recorded',
    actor: record.actorEmail.toLowerCase(),
    payload: {
      requestId: state.requestId,
      kind: record.kind,
      label: now?.label ?? record.kind,
      status: now?.status ?? null,
      recorded: record.status ?? 'document',
      asAdmin: record.asAdmin,
      authority: now?.authority ?? null,
      reference: now?.reference ?? null,
      decidedAt: now?.decidedAt ?? null,
      validFrom: now?.validFrom ?? null,
      validUntil: now?.validUntil ?? null,
      reason: now?.reason ?? null,
      documentSha256: now?.documentSha256 ?? null,
      at: record.at,
    },
  };
}

/** A grant that ended before it was needed through, as the audit log keeps it (the workflow's timer, no actor). */
function expiryAuditEntry(state: RequestState, expiry: { kind: string; at: string }): AuditEntry {
  const now = (state.authorizations ?? []).find((a) => a.kind === expiry.kind);
  return {
    requestId: state.requestId,
    event: 'authorization.expired',
    actor: null,
    payload: {
      requestId: state.requestId,
      kind: expiry.kind,
      label: now?.label ?? expiry.kind,
      status: now?.status ?? null,
      authority: now?.authority ?? null,
      reference: now?.reference ?? null,
      validUntil: now?.validUntil ?? null,
      neededThrough: now?.neededThrough ?? null,
      at: expiry.at,
    },
  };
}

/** A material's file as the audit log keeps it: which material, by whom, the file by its hash only. */
function materialDocumentAuditEntry(state: RequestState, record: MaterialDocumentRecord): AuditEntry {
  const now = (state.materialDocuments ?? []).find((d) => d.index === record.index);
  return {
    requestId: state.requestId,
    event: 'material.document_stored',
    actor: record.actorEmail.toLowerCase(),
    payload: {
      requestId: state.requestId,
      index: record.index,
      title: now?.title ?? null,
      sha256: record.sha256,
      contentType: record.contentType,
      sizeBytes: record.sizeBytes,
      at: record.at,
    },
  };
}

/** An amendment as the audit log keeps it: who, field by field before and after, and how the route changed. */
function amendmentAuditEntry(state: RequestState, amendment: AmendmentRecord): AuditEntry {
  const change = amendment.routeChange;
  return {
    requestId: state.requestId,
    event: 'request.amended',
    actor: amendment.actorEmail,
    payload: {
      requestId: state.requestId,
      round: state.round,
      actorName: amendment.actorName,
      amendedAt: amendment.amendedAt,
      changes: amendment.changes,
      routeChanged: change !== null,
      addedParties: change?.added ?? [],
      removedParties: change?.removed ?? [],
      movedParties: change?.moved ?? [],
      newScreeningHits: change?.newScreeningHits ?? 0,
      reasons: change?.reasons ?? [],
      superseded: (state.superseded ?? [])
        .filter((a) => a.round === state.round - 1)
        .map((a) => ({ party: a.party, decidedBy: a.decidedBy })),
      // the requester's answer to the reviewers, kept as a decision's comment is
      ...(amendment.reply ? { reply: amendment.reply } : {}),
    },
  };
}

/** What one projected state adds to the audit log: the decision or amendment, the new state, newly fulfilled obligations. */
function auditEntriesFor(
  { state, decision, amendment, authorization, correction, expiry, materialDocument }: ProjectStateInput,
  fulfilledBefore: Set<string>,
): AuditEntry[] {
  const entries: AuditEntry[] = [];
  if (decision) entries.push(decisionAuditEntry(state, decision));
  if (authorization) entries.push(authorizationAuditEntry(state, authorization));
  if (amendment) entries.push(amendmentAuditEntry(state, amendment));
  if (correction) {
    entries.push({
      requestId: state.requestId,
      event: 'obligation.reopened',
      actor: correction.actorEmail.toLowerCase(),
      payload: {
        requestId: state.requestId,
        kind: correction.kind,
        reason: correction.reason,
        asSecurity: correction.asSecurity,
        at: correction.at,
      },
    });
  }
  if (expiry) entries.push(expiryAuditEntry(state, expiry));
  if (materialDocument) entries.push(materialDocumentAuditEntry(state, materialDocument));
  entries.push({
    requestId: state.requestId,
    event: 'request.state',
    actor: decision
      ? decision.actorEmail.toLowerCase()
      : (amendment?.actorEmail ??
        authorization?.actorEmail.toLowerCase() ??
        correction?.actorEmail.toLowerCase() ??
        materialDocument?.actorEmail.toLowerCase() ??
        (state.status === 'withdrawn' ? state.withdrawal?.by : null) ??
        null),
    payload: {
      requestId: state.requestId,
      status: state.status,
      currentStage: state.currentStage,
      round: state.round,
      seq: state.seq,
      approvals: state.stages.flatMap((stage) =>
        stage.approvals.map((a) => ({ stage: stage.index, party: a.party, status: a.status })),
      ),
      ...(state.status === 'withdrawn' && state.withdrawal?.reason
        ? { withdrawalReason: state.withdrawal.reason }
        : {}),
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

/**
 * The only writer of the request projection: the request row, its approvals, obligations and decisions,
 * with their audit-log rows in the same transaction. Used by the worker's projection activities alone
 * (the workflow is the single source of a request's state); the API and reports read through
 * `RequestRepository` and `ReportsRepository`, and lint keeps this class out of `apps/api` and `apps/web`.
 */
export class RequestProjectionWriter {
  private readonly audit: AuditLogRepository;

  constructor(dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /**
   * Records a submission (the workflow's first step) with its plan and initial approvals in one
   * transaction, with the next reference of its year. Idempotent: a retried activity finds the row and
   * leaves it (keeping the reference it got first); a concurrent retry that loses the race on the row's
   * key rolls back, and its reference number with it.
   */
  async recordSubmission({ workflow, plan, state }: RecordSubmissionInput, now: string): Promise<void> {
    await this.audit.writeTransaction(async (manager) => {
      if (await manager.getRepository(RequestEntity).existsBy({ id: workflow.requestId })) return;
      const { request, requester } = workflow;
      await manager.getRepository(RequestEntity).insert({
        id: workflow.requestId,
        reference: await nextRequestReference(manager, workflow.submittedAt),
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
        authorizations: (state.authorizations ?? []) as never,
        determinations: (state.determinations ?? []) as never,
        createdAt: workflow.submittedAt,
        updatedAt: now,
      });
      await manager.getRepository(ApprovalEntity).insert(approvalRows(state, workflow.submittedAt, [], plan));
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

  /**
   * Writes a workflow state. Writes carry the state's sequence number and only a newer state
   * replaces an older one, so retried or reordered activity calls never move the projection back.
   * Returns false when the write was stale (already applied).
   */
  async projectState(input: ProjectStateInput, now: string): Promise<boolean> {
    const { state } = input;
    return this.audit.writeTransaction(async (manager: EntityManager) => {
      const amended = input.amendedRequest ? requestColumns(input.amendedRequest) : {};
      // An amendment that routed differently brings its plan and screening hits.
      const replanned = input.plan
        ? { plan: input.plan as never, screeningHits: input.plan.screeningHits as never }
        : {};
      const result = await manager
        .createQueryBuilder()
        .update(RequestEntity)
        .set({
          status: state.status,
          currentStage: state.currentStage,
          round: state.round,
          seq: state.seq,
          updatedAt: now,
          supersededApprovals: (state.superseded ?? []) as never,
          routeChanges: (state.routeChanges ?? []) as never,
          authorizations: (state.authorizations ?? []) as never,
          materialDocuments: (state.materialDocuments ?? []) as never,
          ...(state.determinations ? { determinations: state.determinations as never } : {}),
          ...amended,
          ...replanned,
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
      const before = await manager.getRepository(ApprovalEntity).find({
        select: { party: true, status: true, stageStatus: true, askedAt: true, dueAt: true },
        where: { requestId: state.requestId },
      });
      // the pinned plan dates whoever is newly asked (an amendment that routed differently brings its own)
      const plan =
        input.plan ??
        (needsPlan(state, now, before)
          ? ((
              await manager
                .getRepository(RequestEntity)
                .findOne({ select: { id: true, plan: true }, where: { id: state.requestId } })
            )?.plan ?? null)
          : null);
      const rows = approvalRows(state, now, before, plan);
      // A party an amendment's new route no longer asks has no approval left (its decisions are superseded).
      if (rows.length > 0) {
        await manager
          .createQueryBuilder()
          .delete()
          .from(ApprovalEntity)
          .where('request_id = :id', { id: state.requestId })
          .andWhere('party NOT IN (:...parties)', { parties: rows.map((r) => r.party) })
          .execute();
      }
      await manager.getRepository(ApprovalEntity).save(rows);
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
}
