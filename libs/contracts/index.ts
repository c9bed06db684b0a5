/**
 * The one contract between the API, the worker and the workflows: task queue, workflow IDs,
 * Updates, Queries and their payload types. Imported by workflow code, so it must stay free of
 * Node built-ins and I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FieldChange, RouteChange } from '../domain/amendment';
import type { DecisionInput, RequestState } from '../domain/approval-state';
import type { AuthorizationRecord } from '../domain/authorizations';
import type { MaterialDocumentRecord } from '../domain/material-documents';
import type { PersonFlags } from '../domain/person';
import type { RoutePlan, RoutingPolicy } from '../domain/policy';
import type { Counterparty, RequestInput } from '../domain/request';
import type { ScreeningHit } from '../domain/screening';
import type { Party, RequestType, Tier } from '../domain/vocabulary';
import type { Proven } from './update-proof';

export * from './update-proof';

export const DEFAULT_TASK_QUEUE = 'clearance';

/** Business-key workflow IDs: a retried start of the same request is harmless. */
export function workflowIdFor(requestId: string): string {
  return `request-${requestId}`;
}

export interface Requester {
  email: string;
  name: string;
  /** The tier at submission; later changes to the directory do not touch a running request. */
  tier: Tier;
  /** The manager at submission, who may not decide on the requester's departure. */
  managerEmail?: string | null;
  /** The directory's flags at submission (classified access, confidentiality period); absent before they were sent. */
  flags?: PersonFlags;
}

/** What the workflow needs to show people in emails. */
export interface RequestSummary {
  type: RequestType;
  requesterEmail: string;
  requesterName: string;
  destinationCountry: string;
  departureDate: string;
  /** Absent for a permanent move (a departure abroad without a return); mails say so in words. */
  returnDate?: string;
  purpose: string;
}

export function summaryOf(requester: Requester, request: RequestInput): RequestSummary {
  return {
    type: request.type,
    requesterEmail: requester.email,
    requesterName: requester.name,
    destinationCountry: request.destinationCountry,
    departureDate: request.departureDate,
    returnDate: request.returnDate,
    purpose: request.purpose,
  };
}

/**
 * Everything a request starts from. The policy version in force is pinned here, so the plan the
 * workflow computes from it (after screening) is fixed in the history and never recomputed.
 */
export interface RequestWorkflowInput {
  requestId: string;
  request: RequestInput;
  requester: Requester;
  policy: RoutingPolicy;
  submittedAt: string;
  idempotencyKey: string | null;
  /** SHA-256 of the submitted body, to tell a retry from a different request under the same key. */
  bodyHash: string;
  /**
   * The request's proof key (./update-proof.ts): the workflow accepts an Update only with a proof
   * made with it, i.e. from the API. Absent in workflows started before proofs existed: they keep
   * the rules they started with.
   */
  proofKey?: string;
}

/**
 * How the decision arrived and its author was authenticated: `email` an email link alone,
 * `email-otp` an email link confirmed with a one-time code (step-up), `email-session` an email link
 * opened while signed in to Clearance as the recipient (or their delegate).
 */
export type DecideInput = DecisionInput &
  Proven & {
    via: 'api' | 'email' | 'email-otp' | 'email-session' | 'bulk';
    /**
     * The round the decider saw (a link's round, the form's, or the view the API just read): a
     * decision made on a request since amended is refused. Absent only in histories from before.
     */
    round?: number;
  };

export interface AmendInput extends Proven {
  actorEmail: string;
  request: RequestInput;
  amendedAt: string;
  /** The requester's answer to the reviewers who asked for changes, trimmed (absent when none was given). */
  reply?: string;
}

export interface WithdrawInput extends Proven {
  actorEmail: string;
  withdrawnAt: string;
  /** Why, in the requester's words (absent in histories from before reasons were asked). */
  reason?: string | null;
}

/** Answers once the submission is screened, planned and recorded (used with update-with-start). */
export const submittedUpdate = defineUpdate<RequestState>('submitted');
/**
 * What a decision answers: the state it made. `unprojected` (requests started since
 * `decisions-written-by-the-api`): a decision that left its stage open answers at once, before the
 * database holds it; the API writes that state itself, seq-guarded like every write, and the workflow
 * writes it again with its next write, so the database holds it even if the API stops in between.
 */
export type DecideOutcome = RequestState & { unprojected?: true };

export const decideUpdate = defineUpdate<DecideOutcome, [DecideInput]>('decide');
export const amendUpdate = defineUpdate<RequestState, [AmendInput]>('amend');
export const withdrawUpdate = defineUpdate<RequestState, [WithdrawInput]>('withdraw');
export const stateQuery = defineQuery<RequestState>('state');

export interface CatchUpInput extends Proven {
  /** When the API asked (the Update's one fact). */
  askedAt: string;
}

/**
 * Writes every state the workflow committed that the database may not hold yet (a decision the API
 * answered for without writing, its answer lost), then answers with the state. Sent by the API after
 * an ambiguous failure of a decision, so the records say what the history holds.
 */
export const catchUpUpdate = defineUpdate<RequestState, [CatchUpInput]>('catchUp');

export interface FulfilObligationInput extends Proven {
  kind: string;
  actorEmail: string;
  at: string;
  note?: string | null;
}

/** The requester records an obligation as met (training done, condition acknowledged, debrief filed). */
export const fulfilObligationUpdate = defineUpdate<RequestState, [FulfilObligationInput]>('fulfilObligation');
/**
 * A fulfilment recorded by mistake, reopened with a reason by the requester or (`asSecurity`, which the API
 * proves) a member of the request's security party.
 */
export interface CorrectObligationInput extends Proven {
  kind: string;
  actorEmail: string;
  asSecurity: boolean;
  reason: string;
  at: string;
}
export const correctObligationUpdate = defineUpdate<RequestState, [CorrectObligationInput]>('correctObligation');
/** The requester or a compliance admin records an authority's decision (or attaches its document's hash). */
export type RecordAuthorizationInput = AuthorizationRecord & Proven;
export const recordAuthorizationUpdate = defineUpdate<RequestState, [RecordAuthorizationInput]>('recordAuthorization');
/** The requester attaches the file of a material on the trip manifest (its SHA-256; the file stays outside). */
export type AttachMaterialDocumentInput = MaterialDocumentRecord & Proven;
export const attachMaterialDocumentUpdate = defineUpdate<RequestState, [AttachMaterialDocumentInput]>(
  'attachMaterialDocument',
);

/** From the custody workflow: the released passport is back in custody. */
export const passportReturnedSignal = defineSignal<[PassportReturned]>('passportReturned');

/** The custody workflow's word that a passport is back, proven with the request's proof key. */
export interface PassportReturned extends Proven {
  passportId: string;
  by: string;
  at: string;
}

/** One release of one passport, watched until it is back. ID: `custody-<passportId>-<requestId>`. */
export interface CustodyWorkflowInput {
  passportId: string;
  requestId: string;
  employeeEmail: string;
  employeeName: string;
  numberLast3: string;
  dueBackAt: string;
  reminderEveryMs: number;
  escalateAfterMs: number;
  /** The request's proof key: proves returnPassport Updates and the passportReturned signal it sends. */
  proofKey?: string;
  /**
   * Started ready for hand-out (patch `hand-out-step`): the passport stays in the vault until the
   * custodian's handOutPassport Update; absent for releases started before the hand-out step.
   */
  awaitsHandOut?: boolean;
  /** Since `uncollected-release`: the release lapses if nobody collected the passport by then (end of the return day). */
  collectBy?: string;
}

export interface CustodyState {
  passportId: string;
  status: 'ready_for_hand_out' | 'released' | 'overdue' | 'in_custody';
  returnedBy: string | null;
  returnedAt: string | null;
  handedOutBy?: string | null;
  handedOutAt?: string | null;
}

/** The custodian gives the passport to its holder, whose identity they checked. */
export interface HandOutPassportInput extends Proven {
  by: string;
  at: string;
  identityChecked: true;
}

export const handOutPassportUpdate = defineUpdate<CustodyState, [HandOutPassportInput]>('handOutPassport');

export interface HandOutInput {
  passportId: string;
  requestId: string;
  by: string;
  at: string;
  dueBackAt: string;
}

export interface ReturnPassportInput extends Proven {
  by: string;
  at: string;
}

export const returnPassportUpdate = defineUpdate<CustodyState, [ReturnPassportInput]>('returnPassport');

export function custodyWorkflowIdFor(passportId: string, requestId: string): string {
  return `custody-${passportId}-${requestId}`;
}

export interface ReleasePassportInput {
  requestId: string;
  employeeEmail: string;
  dueBackAt: string;
}

export interface CustodyNoticeInput {
  kind: 'hand_out' | 'overdue' | 'escalation';
  passportId: string;
  requestId: string;
  employeeEmail: string;
  employeeName: string;
  numberLast3: string;
  dueBackAt: string;
  /** Distinguishes repeated reminders. */
  sequence: number;
}

export interface ObligationNoticeInput {
  /** `expired`: an external authorization's grant ended before it was needed through (with `authorization`). */
  kind: 'reminder' | 'escalation' | 'expired';
  /** Set when the reminder is about an external authorization the request still waits for. */
  authorization?: { kind: string; authority: string };
  requestId: string;
  obligation: string;
  label: string;
  dueAt: string | null;
  summary: RequestSummary;
  sequence: number;
}

/** Custom search attributes; `npm start` and the tests register them on the dev server. */
export const SEARCH_ATTRIBUTES = {
  requestType: defineSearchAttributeKey('ClearanceRequestType', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('ClearanceStatus', SearchAttributeType.KEYWORD),
  requester: defineSearchAttributeKey('ClearanceRequester', SearchAttributeType.KEYWORD),
} as const;

export interface ScreenInput {
  requestId: string;
  counterparties: Counterparty[];
}

export interface RecordSubmissionInput {
  workflow: RequestWorkflowInput;
  plan: RoutePlan;
  state: RequestState;
}

/** The submission in one step (`cheaper-cycle`): screened, planned from the pinned policy and recorded. */
export interface SubmitRequestInput {
  workflow: RequestWorkflowInput;
}

/** What the submission step recorded: the workflow keeps both (they are in its history as the step's result). */
export interface SubmittedRequest {
  plan: RoutePlan;
  state: RequestState;
}

/** approval: the stage opened; reminder: still waiting; escalation: to the party's leads. */
export type NotificationKind = 'approval' | 'reminder' | 'escalation';

export interface NotifyPartyInput {
  requestId: string;
  party: Party;
  round: number;
  kind: NotificationKind;
  /** Distinguishes repeated reminders, so each is sent once. */
  sequence: number;
  reasons: string[];
  summary: RequestSummary;
  screeningHits: ScreeningHit[];
  /** Set when the party is asked again after an amendment: what changed, and what it said before. */
  amendment?: AmendmentNotice;
}

/** One email step for several parties of a stage at once (`cheaper-cycle`): each party as `notifyParty` would. */
export interface NotifyPartiesInput extends Omit<NotifyPartyInput, 'party' | 'reasons' | 'amendment'> {
  parties: Array<Pick<NotifyPartyInput, 'party' | 'reasons' | 'amendment'>>;
}

/** What an approver asked again after an amendment reads about it. */
export interface AmendmentNotice {
  byName: string;
  /** Each change in words: `destination US → IR`. */
  changes: string[];
  /** "Route changed after amendment: …", when it did. */
  routeChange: string | null;
  /** This party's earlier decision on the request, when it had said something. */
  earlier: { status: string; comment: string | null; conditions: string[] } | null;
  /** The requester's answer to the reviewers, when the amendment came with one. */
  reply?: string;
}

/** An amendment as the records keep it (the audit log's `request.amended`). */
export interface AmendmentRecord {
  actorEmail: string;
  actorName: string;
  amendedAt: string;
  changes: FieldChange[];
  routeChange: RouteChange | null;
  /** The requester's answer to the reviewers, when the amendment came with one. */
  reply?: string;
}

export interface NotifyRequesterInput {
  requestId: string;
  seq: number;
  state: RequestState;
  summary: RequestSummary;
}

export interface ProjectStateInput {
  state: RequestState;
  /** The decision that produced this state, appended to the decision log. */
  decision?: DecideInput;
  /** The amended request, written with the state when an amendment restarts the stage. */
  amendedRequest?: RequestInput;
  /** Who amended and what changed (recorded as `request.amended`). */
  amendment?: AmendmentRecord;
  /** The route planned again after an amendment, when it changed. */
  plan?: RoutePlan;
  /** The authorization progress that produced this state (recorded as `authorization.recorded`). */
  authorization?: AuthorizationRecord;
  /** The correction that reopened an obligation (recorded as `obligation.reopened`). */
  correction?: Omit<CorrectObligationInput, 'proof'>;
  /** The grant that expired and produced this state (recorded as `authorization.expired`). */
  expiry?: { kind: string; at: string };
  /** The material file attached (recorded as `material.document_stored`). */
  materialDocument?: MaterialDocumentRecord;
}

/** Every state committed while the previous write ran, oldest first, written in one step (`cheaper-cycle`). */
export interface ProjectStatesInput {
  states: ProjectStateInput[];
}
