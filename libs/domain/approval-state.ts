import type { RouteChange, SupersededApproval } from './amendment';
import { outstanding, type AuthorizationState, type Determination } from './authorizations';
import type { MaterialDocument } from './material-documents';
import { obligationKindLabel } from './labels';
import { earliestFulfilment, recordedByRequester, type Obligation } from './obligations';
import type { RoutePlan } from './policy';
import type { Refusal, RefusalCode } from './refusals';
import { isPermanentMove, tripEnd, type TripDates } from './request';
import type { ApprovalStatus, Decision, Party, RequestStatus, StageStatus } from './vocabulary';

/**
 * The state of one request as the workflow holds it. Pure data and pure transitions, so the
 * workflow (deterministic), the API and tests share one implementation.
 */

/** One member's approval towards a party's quorum. */
export interface Vote {
  by: string;
  onBehalfOf: string | null;
  at: string;
  comment: string | null;
  conditions: string[];
}

export interface ApprovalState {
  party: Party;
  stageIndex: number;
  reasons: string[];
  /** How many members must approve; `approvedBy` holds who has so far. */
  quorum: number;
  approvedBy: Vote[];
  status: ApprovalStatus;
  /** The member whose decision settled the party (the last approval of a quorum, or the refusal). */
  decidedBy: string | null;
  onBehalfOf: string | null;
  comment: string | null;
  /** Conditions of every approval so far. */
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
  /** Who decided for which party in this request (four eyes holds across rounds, for delegates too). */
  deciders: Record<string, Party>;
  /** What the approved request must still do; empty until approval. */
  obligations: Obligation[];
  /** Approvals given on content since amended: on the record, never counted (absent before any). */
  superseded?: SupersededApproval[];
  /** How amendments changed the route (absent before any did). */
  routeChanges?: RouteChange[];
  /**
   * External authorizations the pinned policy requires (patch `external-authorizations`; absent in
   * requests from before, which never wait for one).
   */
  authorizations?: AuthorizationState[];
  /** What the pinned policy's determinations said of the request at submission (absent before). */
  determinations?: Determination[];
  /** Who withdrew the request, when and why (absent unless withdrawn with these facts). */
  withdrawal?: Withdrawal;
  /** The files of the manifest's materials, by SHA-256 (the files are stored sealed, outside the history). */
  materialDocuments?: MaterialDocument[];
}

/** A withdrawal as the requester made it. */
export interface Withdrawal {
  by: string;
  at: string;
  reason: string | null;
}

export interface DecisionInput {
  party: Party;
  decision: Decision;
  actorEmail: string;
  /** Set when a delegate decides for an absent approver. */
  onBehalfOf?: string | null;
  comment?: string | null;
  conditions?: string[];
  decidedAt: string;
}

/** Why a decision is refused: the decision rules' part of the refusal vocabulary (./refusals). */
export type DecisionRefusal = Extract<
  RefusalCode,
  | 'REQUEST_NOT_PENDING'
  | 'REQUESTER_CANNOT_DECIDE'
  | 'PARTY_NOT_IN_REQUEST'
  | 'PARTY_NOT_AWAITING'
  | 'DECIDED_FOR_ANOTHER_PARTY'
  | 'ALREADY_APPROVED'
  | 'COMMENT_REQUIRED'
  | 'ROUND_CHANGED'
>;

export class DecisionRefused extends Error implements Refusal {
  constructor(
    readonly code: DecisionRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'DecisionRefused';
  }
}

/** The plan's stages as review starts them: every stage and every party's approval still waiting. */
export function waitingStages(plan: RoutePlan): StageState[] {
  return plan.stages.map((stage) => ({
    index: stage.index,
    status: 'waiting',
    approvals: stage.parties.map((p) => ({
      party: p.party,
      stageIndex: stage.index,
      reasons: [...p.reasons],
      quorum: p.quorum,
      approvedBy: [],
      status: 'waiting',
      decidedBy: null,
      onBehalfOf: null,
      comment: null,
      conditions: [],
      decidedAt: null,
    })),
  }));
}

export function initialState(requestId: string, requesterEmail: string, plan: RoutePlan): RequestState {
  const state: RequestState = {
    requestId,
    requesterEmail: requesterEmail.toLowerCase(),
    status: 'pending',
    currentStage: 1,
    round: 1,
    seq: 0,
    deciders: {},
    obligations: [],
    stages: waitingStages(plan),
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
  return {
    ...approval,
    status,
    approvedBy: [],
    decidedBy: null,
    onBehalfOf: null,
    comment: null,
    conditions: [],
    decidedAt: null,
  };
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

/** The people a decision speaks for: the actor and, for a delegate, the absent approver. */
function identities(input: Pick<DecisionInput, 'actorEmail' | 'onBehalfOf'>): string[] {
  return [input.actorEmail, input.onBehalfOf].filter((e): e is string => !!e).map((e) => e.toLowerCase());
}

/** The requester never decides their own request, not even as a delegate. The API asks this early too. */
export function ownDecisionRefusal(requesterEmail: string, people: string[]): DecisionRefused | null {
  const requester = requesterEmail.toLowerCase();
  if (!people.some((person) => person.toLowerCase() === requester)) return null;
  return new DecisionRefused('REQUESTER_CANNOT_DECIDE', 'the requester never decides their own request');
}

/**
 * A decision is made on what the decider saw: the round of their link, form or view. One made on a
 * round the request has since left (an amendment opened the next) is refused rather than applied to
 * content the decider never saw. A decision without a round (recorded before rounds were sent) is
 * not checked.
 */
export function roundRefusal(state: RequestState, round: number | undefined): DecisionRefused | null {
  if (round === undefined || round === state.round) return null;
  return new DecisionRefused(
    'ROUND_CHANGED',
    `this decision was made on round ${round}, but the request was amended since (it is in round ${state.round}): reload it and decide again`,
  );
}

/** The refusal a decision would meet, or null when it may be applied. Used by the Update validator. */
export function refusalFor(
  state: RequestState,
  input: Pick<DecisionInput, 'party' | 'actorEmail' | 'onBehalfOf' | 'decision' | 'comment'>,
): DecisionRefused | null {
  const people = identities(input);
  const own = ownDecisionRefusal(state.requesterEmail, people);
  if (own) return own;
  const approval = findApproval(state, input.party);
  if (!approval) {
    return new DecisionRefused('PARTY_NOT_IN_REQUEST', `party ${input.party} is not asked on this request`);
  }
  for (const person of people) {
    const otherParty = state.deciders[person];
    if (otherParty && otherParty !== input.party) {
      return new DecisionRefused(
        'DECIDED_FOR_ANOTHER_PARTY',
        `${person} already decided for ${otherParty} on this request; one person decides for one party`,
      );
    }
  }
  if (state.status !== 'pending') {
    return new DecisionRefused('REQUEST_NOT_PENDING', `the request is ${state.status}, not pending`);
  }
  if (approval.status !== 'pending') {
    const by = approval.decidedBy ? ` by ${approval.decidedBy}` : '';
    const what = approval.status === 'waiting' ? 'its stage is not open yet' : `already ${approval.status}${by}`;
    return new DecisionRefused('PARTY_NOT_AWAITING', `party ${input.party} is not awaiting a decision: ${what}`);
  }
  const voted = approval.approvedBy.find(
    (v) => people.includes(v.by) || (v.onBehalfOf !== null && people.includes(v.onBehalfOf)),
  );
  if (voted) {
    return new DecisionRefused(
      'ALREADY_APPROVED',
      `${voted.onBehalfOf ?? voted.by} already approved for ${input.party}; another member must complete its quorum`,
    );
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

/** What only the requester of a request may do. */
export type RequesterAction = 'amend' | 'withdraw' | 'fulfil';

const ONLY_THE_REQUESTER: Record<RequesterAction, string> = {
  amend: 'only the requester may amend a request',
  withdraw: 'only the requester may withdraw a request',
  fulfil: 'only the requester records their obligations',
};

/**
 * Only the requester amends, withdraws or records obligations. The API asks this for an early
 * answer; the workflow's validators ask it again (in amendRefusal and its siblings) as the rule of record.
 */
export function requesterRefusal(action: RequesterAction, requesterEmail: string, actorEmail: string): Refusal | null {
  if (actorEmail.toLowerCase() === requesterEmail.toLowerCase()) return null;
  return { code: 'NOT_REQUESTER', message: ONLY_THE_REQUESTER[action] };
}

/** The refusal an amendment would meet: only the requester amends, and only after changes were requested. */
export function amendRefusal(state: RequestState, actorEmail: string): Refusal | null {
  const notRequester = requesterRefusal('amend', state.requesterEmail, actorEmail);
  if (notRequester) return notRequester;
  if (state.status === 'changes_requested') return null;
  return {
    code: 'REQUEST_NOT_AMENDABLE',
    message: `only a request in changes_requested can be amended (it is ${state.status})`,
  };
}

/** The refusal a withdrawal would meet: only the requester withdraws, and only while undecided. */
export function withdrawRefusal(state: RequestState, actorEmail: string): Refusal | null {
  const notRequester = requesterRefusal('withdraw', state.requesterEmail, actorEmail);
  if (notRequester) return notRequester;
  if (isWithdrawable(state.status)) return null;
  return { code: 'REQUEST_NOT_PENDING', message: `only an undecided request can be withdrawn (it is ${state.status})` };
}

/**
 * The refusal recording an obligation as met would meet: it must be open on an approved request,
 * one the requester records (the custodian records the passport back), and recorded by the requester.
 */
export function fulfilRefusal(
  state: RequestState,
  kind: string,
  actorEmail: string,
  /** When known: the trip's dates and the moment of recording (obligations about the trip wait for its end, tripEnd). */
  timing?: { trip: TripDates; at: string },
): Refusal | null {
  const obligation = state.obligations.find((o) => o.kind === kind);
  if (state.status !== 'approved' || !obligation) {
    return { code: 'OBLIGATION_NOT_OPEN', message: `the request has no open obligation "${kind}"` };
  }
  if (obligation.status === 'fulfilled') {
    return { code: 'OBLIGATION_NOT_OPEN', message: `"${kind}" was already recorded by ${obligation.fulfilledBy}` };
  }
  if (!recordedByRequester(kind)) {
    return { code: 'OBLIGATION_NOT_OPEN', message: 'the passport is recorded back by the custodian, not here' };
  }
  const notRequester = requesterRefusal('fulfil', state.requesterEmail, actorEmail);
  if (notRequester) return notRequester;
  const earliest = timing ? earliestFulfilment(kind, tripEnd(timing.trip)) : null;
  if (earliest && timing && Date.parse(timing.at) < Date.parse(earliest)) {
    const end = isPermanentMove(timing.trip)
      ? `the departure date ${tripEnd(timing.trip)} (a permanent move has no return)`
      : `the return date ${tripEnd(timing.trip)}`;
    return {
      code: 'OBLIGATION_NOT_OPEN',
      message: `"${obligationKindLabel(kind)}" can be recorded only after the trip: on or after ${end}`,
    };
  }
  return null;
}

/** Who corrects a recorded obligation: its requester, or a member of the request's security party. */
export function correctorRefusal(
  requesterEmail: string,
  actor: { email: string; asSecurity: boolean },
): Refusal | null {
  if (actor.asSecurity || actor.email.toLowerCase() === requesterEmail.toLowerCase()) return null;
  return { code: 'NOT_REQUESTER', message: 'only the requester or security may correct a recorded obligation' };
}

/**
 * The refusal reopening an obligation would meet: only a recorded one of a request still open (a closed
 * request's record is final), reopened by its requester or by security, with a reason.
 */
export function correctionRefusal(
  state: RequestState,
  kind: string,
  actor: { email: string; asSecurity: boolean },
  reason: string,
): Refusal | null {
  const notCorrector = correctorRefusal(state.requesterEmail, actor);
  if (notCorrector) return notCorrector;
  if (!recordedByRequester(kind)) {
    return {
      code: 'OBLIGATION_NOT_OPEN',
      message: `"${kind}" is not recorded by the requester: it cannot be corrected here`,
    };
  }
  const obligation = state.obligations.find((o) => o.kind === kind);
  if (state.status !== 'approved' || obligation?.status !== 'fulfilled') {
    return {
      code: 'OBLIGATION_NOT_OPEN',
      message: `only an obligation recorded as met on an approved request can be corrected ("${kind}" is ${obligation?.status ?? 'not an obligation of it'}, the request ${state.status})`,
    };
  }
  if (reason.trim() === '') return { code: 'COMMENT_REQUIRED', message: 'a correction needs a reason' };
  return null;
}

/** Reopens a recorded obligation (a correction): open again, or overdue when its due date has passed. */
export function reopen(state: RequestState, kind: string, at: string): RequestState {
  return bump(state, {
    obligations: state.obligations.map((o) =>
      o.kind === kind && o.status === 'fulfilled'
        ? {
            ...o,
            status: o.dueAt && Date.parse(o.dueAt) <= Date.parse(at) ? ('overdue' as const) : ('open' as const),
            fulfilledBy: null,
            fulfilledAt: null,
          }
        : o,
    ),
  });
}

/** Applies a decision (checked by refusalFor), counting approvals towards quorum, and moves the request on. */
export function applyDecision(state: RequestState, input: DecisionInput): RequestState {
  const refusal = refusalFor(state, input);
  if (refusal) throw refusal;
  const actor = input.actorEmail.toLowerCase();
  const onBehalfOf = input.onBehalfOf?.toLowerCase() ?? null;
  const comment = input.comment?.trim() || null;
  const decide = (a: ApprovalState): ApprovalState => {
    if (input.decision !== 'approve') {
      const status = DECISION_STATUS[input.decision];
      return { ...a, status, decidedBy: actor, onBehalfOf, comment, conditions: [], decidedAt: input.decidedAt };
    }
    const vote: Vote = { by: actor, onBehalfOf, at: input.decidedAt, comment, conditions: input.conditions ?? [] };
    const approvedBy = [...a.approvedBy, vote];
    const conditions = [...new Set(approvedBy.flatMap((v) => v.conditions))];
    if (approvedBy.length < a.quorum) return { ...a, approvedBy, conditions };
    return {
      ...a,
      approvedBy,
      conditions,
      status: 'approved',
      decidedBy: actor,
      onBehalfOf,
      comment,
      decidedAt: input.decidedAt,
    };
  };
  const stages = state.stages.map((stage) => ({
    ...stage,
    approvals: stage.approvals.map((a) => (a.party === input.party ? decide(a) : a)),
  }));
  const deciders = { ...state.deciders };
  for (const person of identities(input)) deciders[person] = input.party;
  return settle(bump(state, { stages, deciders }));
}

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
      : {
          ...approvedStage,
          // Every party approved: the request waits while a blocking authorization is not granted.
          status: outstanding(state, 'approval').length > 0 ? 'awaiting_authorization' : 'approved',
        };
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

export function withdraw(state: RequestState, withdrawal?: Withdrawal): RequestState {
  if (!isWithdrawable(state.status)) {
    throw new DecisionRefused(
      'REQUEST_NOT_PENDING',
      `only an undecided request can be withdrawn (it is ${state.status})`,
    );
  }
  return bump(state, {
    status: 'withdrawn',
    stages: state.stages.map((s) => (s.status === 'approved' ? s : { ...s, status: 'cancelled' })),
    ...(withdrawal ? { withdrawal } : {}),
  });
}

/**
 * Undecided, as its requester sees it: still in review, waiting for changes, or approved by every
 * party but still waiting for an authority (a trip that is off can be withdrawn before the authority answers).
 */
export function isWithdrawable(status: string): boolean {
  return status === 'pending' || status === 'changes_requested' || status === 'awaiting_authorization';
}

export function isFinal(status: RequestStatus): boolean {
  return status !== 'pending' && status !== 'changes_requested';
}

/** A party let its deadline pass: the request expires and nothing more is decided. */
export function expire(state: RequestState): RequestState {
  if (isFinal(state.status)) return state;
  return bump(state, {
    status: 'expired',
    stages: state.stages.map((s) => (s.status === 'approved' ? s : { ...s, status: 'cancelled' })),
  });
}

/** Sets the obligations of an approved request (they are tracked until all are fulfilled). */
export function withObligations(state: RequestState, obligations: Obligation[]): RequestState {
  return bump(state, { obligations });
}

export function markOverdue(state: RequestState, kind: string): RequestState {
  return bump(state, {
    obligations: state.obligations.map((o) =>
      o.kind === kind && o.status === 'open' ? { ...o, status: 'overdue' } : o,
    ),
  });
}

/** Records an obligation as met; the request closes when all are. */
export function fulfil(state: RequestState, kind: string, by: string, at: string): RequestState {
  const obligations = state.obligations.map((o) =>
    o.kind === kind ? { ...o, status: 'fulfilled' as const, fulfilledBy: by.toLowerCase(), fulfilledAt: at } : o,
  );
  const done = obligations.every((o) => o.status === 'fulfilled');
  return bump(state, { obligations, status: done ? 'closed' : state.status });
}

/**
 * The approval lapsed before the trip started: every stage is decided again from the first, in a
 * new round (old links die), and the obligations are dropped until the next approval.
 */
export function lapse(state: RequestState): RequestState {
  const reset: RequestState = {
    ...state,
    status: 'pending',
    round: state.round + 1,
    obligations: [],
    stages: state.stages.map((s) => ({
      ...s,
      status: 'waiting' as const,
      approvals: s.approvals.map((a) => clearDecision(a, 'waiting')),
    })),
  };
  return openStage(reset, 1);
}
