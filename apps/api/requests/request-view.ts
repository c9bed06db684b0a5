import type { SupersededApproval } from '../../../libs/domain/amendment';
import type { ApprovalEntity, StoredRequest } from '../../../libs/persistence';

/**
 * The contract's request view, built from the projection. Approvals given on content since amended
 * follow the live ones of the stage they were given in (the last stage, when the new route is shorter),
 * with status `superseded`.
 */
export function toRequestView({ request, approvals, obligations }: StoredRequest) {
  const stageIndexes = [...new Set(approvals.map((a) => a.stageIndex))].sort((a, b) => a - b);
  const lastStage = stageIndexes[stageIndexes.length - 1] ?? 1;
  const superseded = request.supersededApprovals ?? [];
  const supersededIn = (index: number) =>
    superseded.filter((a) => Math.min(a.stageIndex, lastStage) === index).map(toSupersededView);
  return {
    id: request.id,
    type: request.type,
    status: request.status,
    requester: { email: request.requesterEmail, tier: request.requesterTier },
    destinationCountry: request.destinationCountry,
    departureDate: request.departureDate,
    returnDate: request.returnDate,
    purpose: request.purpose,
    counterparties: request.counterparties,
    technologyAreas: request.technologyAreas,
    dataCategories: request.dataCategories,
    details: request.details,
    policyVersion: request.policyVersion,
    destinationRisk: request.plan.destinationRisk,
    screeningHits: request.screeningHits,
    currentStage: request.currentStage,
    round: request.round,
    stages: stageIndexes.map((index) => {
      const inStage = approvals.filter((a) => a.stageIndex === index);
      return {
        index,
        status: inStage[0].stageStatus,
        approvals: [...inStage.map(toApprovalView), ...supersededIn(index)],
      };
    }),
    routeChanges: request.routeChanges ?? [],
    obligations: obligations.map((o) => ({
      kind: o.kind,
      label: o.label,
      status: o.status,
      dueAt: o.dueAt,
      fulfilledBy: o.fulfilledBy,
      fulfilledAt: o.fulfilledAt,
    })),
    workflowId: request.workflowId,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
  };
}

function toApprovalView(a: Omit<ApprovalEntity, 'requestId' | 'stageStatus'>) {
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
