import type { ApprovalEntity, StoredRequest } from '../../../libs/persistence';

/** The contract's request view, built from the projection. */
export function toRequestView({ request, approvals, obligations }: StoredRequest) {
  const stageIndexes = [...new Set(approvals.map((a) => a.stageIndex))].sort((a, b) => a - b);
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
      return { index, status: inStage[0].stageStatus, approvals: inStage.map(toApprovalView) };
    }),
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

function toApprovalView(a: ApprovalEntity) {
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

export type RequestView = ReturnType<typeof toRequestView>;
