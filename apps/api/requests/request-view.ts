import type { RouteChange, SupersededApproval } from '@libs/domain/amendment';
import type { AuthorizationState, Determination } from '@libs/domain/authorizations';
import { documentOf } from '@libs/domain/material-documents';
import { RESTRICTED_PARTY_REASON } from '@libs/domain/policy/dry-run';
import { screeningHitReason } from '@libs/domain/policy/evaluate';
import type { ScreeningHit } from '@libs/domain/screening';
import { tripEnd } from '@libs/domain/request';
import type { RequestType } from '@libs/domain/vocabulary';
import type { ApprovalEntity, StoredRequest } from '@libs/persistence';

/** Who reads a view: a signed-in person, or `reviewer` where only those who review it can (links, audit). */
export type Viewer = { email: string; roles: readonly string[] } | 'reviewer';

/**
 * Whether the viewer sees the screening hits' entries (name, matched name, source, score): admins,
 * auditors and those who review the request. Its requester sees only which counterparty needs
 * restricted-party review, so they cannot respell it until it no longer matches.
 */
export function seesScreeningDetails(viewer: Viewer, requesterEmail: string): boolean {
  if (viewer === 'reviewer') return true;
  if (viewer.roles.includes('admin') || viewer.roles.includes('auditor')) return true;
  return viewer.email.toLowerCase() !== requesterEmail.toLowerCase();
}

/** The hits and a function for the approvals' reasons, as this viewer may see them. */
function screeningFor(viewer: Viewer, requesterEmail: string, hits: ScreeningHit[]) {
  if (seesScreeningDetails(viewer, requesterEmail)) return { hits, reasons: (reasons: string[]) => reasons };
  const named = new Set(hits.map(screeningHitReason));
  return {
    hits: hits.map((h) => ({ counterparty: h.counterparty, counterpartyCountry: h.counterpartyCountry })),
    reasons: (reasons: string[]) => [
      ...new Set(
        reasons.map((r) => (named.has(r) || / matches restricted party /.test(r) ? RESTRICTED_PARTY_REASON : r)),
      ),
    ],
  };
}

/**
 * The contract's request view, built from the projection, as this viewer may see it. Approvals given
 * on content since amended follow the live ones of the stage they were given in (the last stage, when
 * the new route is shorter), with status `superseded`.
 */
/** One required authorization as the view shows it (the contract's fields, and the dates recorded). */
function toAuthorizationView(a: AuthorizationState) {
  return {
    kind: a.kind,
    label: a.label,
    authority: a.authority,
    status: a.status,
    reasons: a.reasons,
    blocks: a.blocks,
    leadTimeDays: a.leadTimeDays,
    neededThrough: a.neededThrough,
    reference: a.reference,
    decidedAt: a.decidedAt,
    validFrom: a.validFrom,
    validUntil: a.validUntil,
    reason: a.reason,
    documentSha256: a.documentSha256,
    recordedBy: a.recordedBy,
    recordedAt: a.recordedAt,
  };
}

function toDeterminationView(d: Determination) {
  return {
    rule: d.rule,
    outcome: d.outcome,
    reason: d.reason,
    condition: d.condition ?? null,
    contact: d.contact ?? null,
  };
}

export function toRequestView({ request, approvals, obligations }: StoredRequest, viewer: Viewer) {
  const screening = screeningFor(viewer, request.requesterEmail, request.screeningHits as ScreeningHit[]);
  const stageIndexes = [...new Set(approvals.map((a) => a.stageIndex))].sort((a, b) => a - b);
  const lastStage = stageIndexes[stageIndexes.length - 1] ?? 1;
  const superseded = request.supersededApprovals ?? [];
  const supersededIn = (index: number) =>
    superseded
      .filter((a) => Math.min(a.stageIndex, lastStage) === index)
      .map((a) => ({ ...toSupersededView(a), reasons: screening.reasons(a.reasons) }));
  const routeChanges = (request.routeChanges ?? []).map((c: RouteChange) => ({
    ...c,
    reasons: screening.reasons(c.reasons),
  }));
  return {
    id: request.id,
    reference: request.reference,
    type: request.type,
    status: request.status,
    requester: { email: request.requesterEmail, tier: request.requesterTier },
    destinationCountry: request.destinationCountry,
    departureDate: request.departureDate,
    returnDate: request.returnDate ?? null,
    // when the trip ends for every rule after it: the return date, or a permanent move's departure date
    tripEnd: tripEnd({
      type: request.type as RequestType,
      departureDate: request.departureDate,
      returnDate: request.returnDate,
    }),
    purpose: request.purpose,
    counterparties: request.counterparties,
    technologyAreas: request.technologyAreas,
    dataCategories: request.dataCategories,
    details: request.details,
    /** The trip manifest (devices, materials), or null when none was declared. */
    manifest: request.manifest
      ? {
          devices: request.manifest.devices,
          materials: request.manifest.materials.map((m, index) => {
            const document = documentOf(request.materialDocuments, index, m.title);
            return document
              ? {
                  ...m,
                  document: {
                    sha256: document.sha256,
                    contentType: document.contentType,
                    sizeBytes: document.sizeBytes,
                    uploadedBy: document.uploadedBy,
                    uploadedAt: document.uploadedAt,
                  },
                }
              : m;
          }),
        }
      : null,
    policyVersion: request.policyVersion,
    destinationRisk: request.plan.destinationRisk,
    screeningHits: screening.hits as Array<Partial<ScreeningHit>>,
    currentStage: request.currentStage,
    round: request.round,
    stages: stageIndexes.map((index) => {
      const inStage = approvals.filter((a) => a.stageIndex === index);
      return {
        index,
        status: inStage[0].stageStatus,
        approvals: [
          ...inStage.map((a) => ({ ...toApprovalView(a), reasons: screening.reasons(a.reasons) })),
          ...supersededIn(index),
        ],
      };
    }),
    routeChanges,
    obligations: obligations.map((o) => ({
      kind: o.kind,
      label: o.label,
      status: o.status,
      dueAt: o.dueAt,
      fulfilledBy: o.fulfilledBy,
      fulfilledAt: o.fulfilledAt,
    })),
    authorizations: (request.authorizations ?? []).map(toAuthorizationView),
    determinations: (request.determinations ?? []).map(toDeterminationView),
    workflowId: request.workflowId,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
  };
}

function toApprovalView(a: Omit<ApprovalEntity, 'requestId' | 'stageStatus' | 'askedAt' | 'dueAt'>) {
  return {
    party: a.party,
    status: a.status,
    reasons: a.reasons,
    quorum: a.quorum,
    approvedBy: a.approvedBy.map((v) => ({ email: v.by, onBehalfOf: v.onBehalfOf, at: v.at })),
    decidedBy: a.decidedBy,
    onBehalfOf: a.onBehalfOf,
    comment: a.comment,
    conditions: a.conditions,
    decidedAt: a.decidedAt,
  };
}

/** A superseded approval as the view shows it: the same fields, and the round it was given in. */
function toSupersededView(a: SupersededApproval) {
  return { ...toApprovalView(a), round: a.round };
}

export type RequestView = ReturnType<typeof toRequestView>;
