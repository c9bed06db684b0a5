/**
 * The one contract between the API, the worker and the workflows: task queue, workflow IDs,
 * Updates, Queries and their payload types. Imported by workflow code, so it must stay free of
 * Node built-ins and I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DecisionInput, RequestState } from '../domain/approval-state';
import type { RoutePlan } from '../domain/policy';
import type { RequestInput } from '../domain/request';
import type { Party, RequestType } from '../domain/vocabulary';

export const DEFAULT_TASK_QUEUE = 'clearance';

/** Business-key workflow IDs: a retried start of the same request is harmless. */
export function workflowIdFor(requestId: string): string {
  return `request-${requestId}`;
}

/** What the workflow needs to show people in emails, fixed at submission. */
export interface RequestSummary {
  type: RequestType;
  requesterEmail: string;
  requesterName: string;
  destinationCountry: string;
  departureDate: string;
  returnDate: string;
  purpose: string;
}

export interface RequestWorkflowInput {
  requestId: string;
  summary: RequestSummary;
  /** Computed once at submission from the policy version then in force; never recomputed. */
  plan: RoutePlan;
}

export type DecideInput = DecisionInput & { via: 'api' | 'email' };

export interface AmendInput {
  actorEmail: string;
  request: RequestInput;
  summary: RequestSummary;
  amendedAt: string;
}

export interface WithdrawInput {
  actorEmail: string;
  withdrawnAt: string;
}

export const decideUpdate = defineUpdate<RequestState, [DecideInput]>('decide');
export const amendUpdate = defineUpdate<RequestState, [AmendInput]>('amend');
export const withdrawUpdate = defineUpdate<RequestState, [WithdrawInput]>('withdraw');
export const stateQuery = defineQuery<RequestState>('state');

/** Custom search attributes; `npm start` and the tests register them on the dev server. */
export const SEARCH_ATTRIBUTES = {
  requestType: defineSearchAttributeKey('ClearanceRequestType', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('ClearanceStatus', SearchAttributeType.KEYWORD),
  requester: defineSearchAttributeKey('ClearanceRequester', SearchAttributeType.KEYWORD),
} as const;

export interface NotifyPartyInput {
  requestId: string;
  party: Party;
  round: number;
  reasons: string[];
  summary: RequestSummary;
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
}
