import type { RoutePlan } from './policy';
import type { ApprovalStatus, Decision, Party, RequestStatus, StageStatus } from './vocabulary';

/**
 * The state of one request as the workflow holds it. Pure data and pure transitions, so the
 * workflow (deterministic), the API (initial projection) and tests share one implementation.
 */
export interface ApprovalState {
  party: Party;
  stageIndex: number;
  reasons: string[];
  status: ApprovalStatus;
  decidedBy: string | null;
  onBehalfOf: string | null;
  comment: string | null;
  conditions: string[];
  decidedAt: string | null;
}

export interface StageState {
  index: number;
  status: StageStatus;
  approvals: ApprovalState[];
}

export interface RequestState {
  requestId: string;
  requesterEmail: string;
  status: RequestStatus;
  /** 1-based index of the stage being decided. */
  currentStage: number;
  /** Increments on every amendment; link tokens carry it so a link from before an amendment is dead. */
  round: number;
  /** Increments on every change; the projection ignores writes older than what it holds. */
  seq: number;
  stages: StageState[];
  /** Who decided for which party in this request (four eyes holds across rounds). */
  deciders: Record<string, Party>;
}

export interface DecisionInput {
  party: Party;
  decision: Decision;
  actorEmail: string;
  onBehalfOf?: string | null;
  comment?: string | null;
  conditions?: string[];
  decidedAt: string;
}

/** Why a decision is refused; the API maps these codes to HTTP statuses in one place. */
export type DecisionRefusal =
  | 'REQUEST_NOT_PENDING'
  | 'REQUESTER_CANNOT_DECIDE'
  | 'PARTY_NOT_IN_REQUEST'
  | 'PARTY_NOT_AWAITING'
  | 'DECIDED_FOR_ANOTHER_PARTY'
  | 'COMMENT_REQUIRED';

export class DecisionRefused extends Error {
  constructor(
    readonly code: DecisionRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'DecisionRefused';
  }
}

export function initialState(requestId: string, requesterEmail: string, plan: RoutePlan): RequestState {
  const state: RequestState = {
    requestId,
    requesterEmail,
    status: 'pending',
    currentStage: 1,
    round: 1,
    seq: 0,
    deciders: {},
    stages: plan.stages.map((stage) => ({
      index: stage.index,
      status: 'waiting',
      approvals: stage.parties.map((p) => ({
        party: p.party,
        stageIndex: stage.index,
        reasons: [...p.reasons],
        status: 'waiting',
        decidedBy: null,
        onBehalfOf: null,
        comment: null,
        conditions: [],
        decidedAt: null,
      })),
    })),
  };
  return openStage(state, 1);
}

export function currentStage(state: RequestState): StageState {
  return state.stages[state.currentStage - 1];
}

export function findApproval(state: RequestState, party: Party): ApprovalState | undefined {
  for (const stage of state.stages) {
    const approval = stage.approvals.find((a) => a.party === party);
    if (approval) return approval;
  }
  return undefined;
}

function clearDecision(approval: ApprovalState, status: ApprovalStatus): ApprovalState {
  return { ...approval, status, decidedBy: null, onBehalfOf: null, comment: null, conditions: [], decidedAt: null };
}

function bump(state: RequestState, patch: Partial<RequestState>): RequestState {
  return { ...state, ...patch, seq: state.seq + 1 };
}

export function openStage(state: RequestState, index: number): RequestState {
  return bump(state, {
    currentStage: index,
    stages: state.stages.map((stage) =>
      stage.index === index
        ? { ...stage, status: 'active', approvals: stage.approvals.map((a) => clearDecision(a, 'pending')) }
        : stage,
    ),
  });
}

/** The refusal a decision would meet, or null when it may be applied. Used by the Update validator. */
export function refusalFor(
  state: RequestState,
  input: Pick<DecisionInput, 'party' | 'actorEmail' | 'decision' | 'comment'>,
): DecisionRefused | null {
  const actor = input.actorEmail.toLowerCase();
  if (actor === state.requesterEmail.toLowerCase()) {
    return new DecisionRefused('REQUESTER_CANNOT_DECIDE', 'the requester never decides their own request');
  }
  const approval = findApproval(state, input.party);
  if (!approval) {
    return new DecisionRefused('PARTY_NOT_IN_REQUEST', `party ${input.party} is not asked on this request`);
  }
  const otherParty = state.deciders[actor];
  if (otherParty && otherParty !== input.party) {
    return new DecisionRefused(
      'DECIDED_FOR_ANOTHER_PARTY',
      `${actor} already decided for ${otherParty} on this request; one person decides for one party`,
    );
  }
  if (state.status !== 'pending') {
    return new DecisionRefused('REQUEST_NOT_PENDING', `the request is ${state.status}, not pending`);
  }
  if (approval.status !== 'pending') {
    const by = approval.decidedBy ? ` by ${approval.decidedBy}` : '';
    const what = approval.status === 'waiting' ? 'its stage is not open yet' : `already ${approval.status}${by}`;
    return new DecisionRefused('PARTY_NOT_AWAITING', `party ${input.party} is not awaiting a decision: ${what}`);
  }
  if (input.decision !== 'approve' && !input.comment?.trim()) {
    const field = input.decision === 'reject' ? 'a reason' : 'a comment';
    return new DecisionRefused('COMMENT_REQUIRED', `${input.decision} needs ${field} in "comment"`);
  }
  return null;
}

const DECISION_STATUS: Record<DecisionInput['decision'], ApprovalStatus> = {
  approve: 'approved',
  reject: 'rejected',
  request_changes: 'changes_requested',
};

/** Applies a decision already checked by refusalFor, and moves the request on where it must. */
export function applyDecision(state: RequestState, input: DecisionInput): RequestState {
  const refusal = refusalFor(state, input);
  if (refusal) throw refusal;
  const actor = input.actorEmail.toLowerCase();
  const stages = state.stages.map((stage) => ({
    ...stage,
    approvals: stage.approvals.map((a) =>
      a.party === input.party
        ? {
            ...a,
            status: DECISION_STATUS[input.decision],
            decidedBy: actor,
            onBehalfOf: input.onBehalfOf ?? null,
            comment: input.comment?.trim() || null,
            conditions: input.decision === 'approve' ? (input.conditions ?? []) : [],
            decidedAt: input.decidedAt,
          }
        : a,
    ),
  }));
  const next = bump(state, { stages, deciders: { ...state.deciders, [actor]: input.party } });
  return settle(next);
}

/** Derives the request's status from the current stage after a decision. */
function settle(state: RequestState): RequestState {
  const stage = currentStage(state);
  const statuses = stage.approvals.map((a) => a.status);
  const withStage = (status: StageStatus, requestStatus: RequestStatus) =>
    ({
      ...state,
      status: requestStatus,
      stages: state.stages.map((s) => {
        if (s.index === stage.index) return { ...s, status };
        if (s.index > stage.index && requestStatus === 'rejected') return { ...s, status: 'cancelled' as const };
        return s;
      }),
    }) satisfies RequestState;

  if (statuses.includes('rejected')) return withStage('rejected', 'rejected');
  if (statuses.includes('changes_requested')) return { ...state, status: 'changes_requested' };
  if (statuses.every((s) => s === 'approved')) {
    const approvedStage = withStage('approved', 'pending');
    return stage.index < state.stages.length
      ? openStage({ ...approvedStage, seq: approvedStage.seq - 1 }, stage.index + 1)
      : { ...approvedStage, status: 'approved' };
  }
  return state;
}

/** An amendment restarts the current stage: every party of it decides again on the amended request. */
export function restartCurrentStage(state: RequestState): RequestState {
  if (state.status !== 'changes_requested') {
    throw new DecisionRefused(
      'REQUEST_NOT_PENDING',
      `only a request in changes_requested can be amended (it is ${state.status})`,
    );
  }
  const restarted = openStage({ ...state, status: 'pending', round: state.round + 1 }, state.currentStage);
  return restarted;
}

export function withdraw(state: RequestState): RequestState {
  if (state.status !== 'pending' && state.status !== 'changes_requested') {
    throw new DecisionRefused(
      'REQUEST_NOT_PENDING',
      `only an undecided request can be withdrawn (it is ${state.status})`,
    );
  }
  return bump(state, {
    status: 'withdrawn',
    stages: state.stages.map((s) => (s.status === 'approved' ? s : { ...s, status: 'cancelled' })),
  });
}

export function isFinal(status: RequestStatus): boolean {
  return status !== 'pending' && status !== 'changes_requested';
}
