import type { Payload, PayloadCodec } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type {
  AmendInput,
  DecideInput,
  ProjectStateInput,
  ProjectStatesInput,
  RecordSubmissionInput,
  RequestWorkflowInput,
  SubmittedRequest,
  WithdrawInput,
} from '../contracts';
import type { RoutePlan } from '../domain/policy';
import type { DecisionEntity, RequestEntity } from '../persistence';

/** One decision as the workflow history recorded it. */
export interface TrailDecision {
  party: string;
  decision: string;
  decidedBy: string;
  onBehalfOf: string | null;
  comment: string | null;
  conditions: string[];
  decidedAt: string;
  via: string;
  /** The round the decider saw (null in histories from before rounds were carried). */
  round: number | null;
}

export interface DecisionTrail {
  requestId: string | null;
  policyVersion: number | null;
  plan: RoutePlan | null;
  decisions: TrailDecision[];
  /** Each amendment the workflow accepted: who, when (each opened a new round of review). */
  amendments: { by: string; at: string }[];
  /** The requester's withdrawal, if the workflow accepted one. */
  withdrawal: { by: string; at: string; reason: string | null } | null;
}

export interface Mismatch {
  /** What differs: `policyVersion`, `plan`, `decisions.count`, or `decisions[<n>].<field>`. */
  field: string;
  history: unknown;
  records: unknown;
}

async function decode(codec: PayloadCodec | null, payloads: Payload[] | null | undefined): Promise<unknown[]> {
  const list = payloads ?? [];
  const decoded = codec ? await codec.decode(list) : list;
  return decoded.map((p) => defaultPayloadConverter.fromPayload(p));
}

/**
 * Rebuilds the decision trail from a history alone (through the payload codec where payloads are
 * encrypted): who decided what for which party, when, on whose behalf, with which conditions and
 * comments, plus the policy version and the plan (as last planned: at submission, or after an amendment).
 */
export async function rebuildTrail(historyJson: unknown, codec: PayloadCodec | null): Promise<DecisionTrail> {
  const events = historyFromJSON(historyJson).events ?? [];
  const trail: DecisionTrail = {
    requestId: null,
    policyVersion: null,
    plan: null,
    decisions: [],
    amendments: [],
    withdrawal: null,
  };
  const completedOk = new Set(
    events
      .map((e) => e.workflowExecutionUpdateCompletedEventAttributes)
      .filter((a) => a?.outcome?.success)
      .map((a) => a!.meta?.updateId),
  );
  // Since `cheaper-cycle` the submission step plans the route and answers it: the plan is in its result.
  const activityNames = new Map(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType?.name]),
  );
  for (const event of events) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      const [input] = (await decode(codec, started.input?.payloads)) as [RequestWorkflowInput | undefined];
      trail.requestId = input?.requestId ?? null;
      trail.policyVersion = input?.policy?.version ?? null;
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'recordSubmission') {
      const [input] = (await decode(codec, scheduled.input?.payloads)) as [RecordSubmissionInput | undefined];
      trail.plan = input?.plan ?? null;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && activityNames.get(String(completed.scheduledEventId)) === 'submitRequest') {
      const [result] = (await decode(codec, completed.result?.payloads)) as [SubmittedRequest | undefined];
      trail.plan = result?.plan ?? null;
    }
    // An amendment that routed the request differently carries the new plan to the records.
    if (scheduled?.activityType?.name === 'projectState') {
      const [input] = (await decode(codec, scheduled.input?.payloads)) as [ProjectStateInput | undefined];
      if (input?.plan) trail.plan = input.plan;
    }
    if (scheduled?.activityType?.name === 'projectStates') {
      const [input] = (await decode(codec, scheduled.input?.payloads)) as [ProjectStatesInput | undefined];
      for (const state of input?.states ?? []) if (state.plan) trail.plan = state.plan;
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (accepted?.input?.name === 'decide' && completedOk.has(accepted.meta?.updateId)) {
      const [d] = (await decode(codec, accepted.input.args?.payloads)) as [DecideInput];
      trail.decisions.push({
        party: d.party,
        decision: d.decision,
        decidedBy: d.actorEmail.toLowerCase(),
        onBehalfOf: d.onBehalfOf?.toLowerCase() ?? null,
        comment: d.comment?.trim() || null,
        conditions: d.decision === 'approve' ? (d.conditions ?? []) : [],
        decidedAt: d.decidedAt,
        via: d.via,
        round: d.round ?? null,
      });
    }
    if (accepted?.input?.name === 'amend' && completedOk.has(accepted.meta?.updateId)) {
      const [a] = (await decode(codec, accepted.input.args?.payloads)) as [AmendInput];
      trail.amendments.push({ by: a.actorEmail.toLowerCase(), at: a.amendedAt });
    }
    if (accepted?.input?.name === 'withdraw' && completedOk.has(accepted.meta?.updateId)) {
      const [w] = (await decode(codec, accepted.input.args?.payloads)) as [WithdrawInput];
      trail.withdrawal = { by: w.actorEmail.toLowerCase(), at: w.withdrawnAt, reason: w.reason?.trim() || null };
    }
  }
  return trail;
}

const FIELDS = ['party', 'decision', 'decidedBy', 'onBehalfOf', 'comment', 'conditions', 'decidedAt', 'via'] as const;

/** Compares the trail field by field with the database projection; any difference is a finding. */
export function compareWithRecords(
  trail: DecisionTrail,
  request: RequestEntity,
  decisions: DecisionEntity[],
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  if (trail.policyVersion !== request.policyVersion) {
    mismatches.push({ field: 'policyVersion', history: trail.policyVersion, records: request.policyVersion });
  }
  const partiesOf = (plan: RoutePlan | null) => plan?.stages.map((s) => s.parties.map((p) => p.party)) ?? null;
  if (JSON.stringify(partiesOf(trail.plan)) !== JSON.stringify(partiesOf(request.plan))) {
    mismatches.push({ field: 'plan', history: partiesOf(trail.plan), records: partiesOf(request.plan) });
  }
  const order = <T extends { decidedAt: string; party: string }>(list: T[]) =>
    [...list].sort((a, b) => a.decidedAt.localeCompare(b.decidedAt) || a.party.localeCompare(b.party));
  const fromHistory = order(trail.decisions);
  const fromRecords = order(decisions);
  if (fromHistory.length !== fromRecords.length) {
    mismatches.push({ field: 'decisions.count', history: fromHistory.length, records: fromRecords.length });
  }
  for (let i = 0; i < Math.min(fromHistory.length, fromRecords.length); i += 1) {
    for (const field of FIELDS) {
      const h = fromHistory[i][field];
      const r = fromRecords[i][field];
      if (JSON.stringify(h) !== JSON.stringify(r))
        mismatches.push({ field: `decisions[${i}].${field}`, history: h, records: r });
    }
  }
  return mismatches;
}
