import type { RequestState } from './approval-state';
import { factsOf, reasonsFor, type PlanInput } from './policy/evaluate';
import type {
  AuthorizationBlock,
  AuthorizationKind,
  DeterminationOutcome,
  DeterminationRule,
  RoutingPolicy,
} from './policy/policy-schema';
import { companyDevicesInWords } from './manifest';
import type { Refusal } from './refusals';
import { tripEnd } from './request';

/**
 * External authorizations and determinations (CONTRACT.md, "External authorizations and
 * determinations"): what an authority outside the company must grant before a request may go ahead,
 * and what the policy decides by itself (a blocked destination, a licence, an automatic condition).
 * Pure: the API (dry runs, the 422 at submission, simulations) and the workflow (pinned in the
 * history) share it.
 */

export const AUTHORIZATION_STATUSES = ['required', 'applied', 'granted', 'refused', 'expired'] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

/** What the requester or an admin records of an authority's decision. */
export const RECORDED_AUTHORIZATION_STATUSES = ['applied', 'granted', 'refused'] as const;
export type RecordedAuthorizationStatus = (typeof RECORDED_AUTHORIZATION_STATUSES)[number];

/** One required authorization of one request, as the workflow holds it. */
export interface AuthorizationState {
  kind: string;
  label: string;
  authority: string;
  status: AuthorizationStatus;
  /** Why it applies to this request. */
  reasons: string[];
  blocks: AuthorizationBlock;
  leadTimeDays: number;
  /** It must stay valid through this day: the request's trip end (its return date; a permanent move's departure date). */
  neededThrough: string;
  reference: string | null;
  decidedAt: string | null;
  validFrom: string | null;
  validUntil: string | null;
  /** The authority's reason (a refusal's, or a note). */
  reason: string | null;
  /** SHA-256 (hex) of the decision document, stored encrypted outside the history. */
  documentSha256: string | null;
  recordedBy: string | null;
  recordedAt: string | null;
}

export interface Determination {
  rule: string;
  outcome: DeterminationOutcome;
  reason: string;
  /** The automatic condition's text (`condition` outcomes). */
  condition?: string;
  /** Whom to contact (`blocked` outcomes). */
  contact?: string;
  /** The authorization kind a `licence_required` outcome adds. */
  authorization?: string;
}

export interface Determined {
  authorizations: AuthorizationState[];
  determinations: Determination[];
  /** The `blocked` determinations: a request with any is refused at submission. */
  blocked: Determination[];
  /** Lead-time warnings: departure is closer than an authority usually takes (needs `today`). */
  warnings: string[];
}

/** What a kind blocks on a request of this type. */
export function blocksOf(kind: AuthorizationKind, type: PlanInput['request']['type']): AuthorizationBlock {
  return kind.blocksByType?.[type] ?? kind.blocks;
}

function required(kind: AuthorizationKind, input: PlanInput, reasons: string[]): AuthorizationState {
  return {
    kind: kind.kind,
    label: kind.label,
    authority: kind.authority,
    status: 'required',
    reasons,
    blocks: blocksOf(kind, input.request.type),
    leadTimeDays: kind.leadTimeDays,
    neededThrough: tripEnd(input.request),
    reference: null,
    decidedAt: null,
    validFrom: null,
    validUntil: null,
    reason: null,
    documentSha256: null,
    recordedBy: null,
    recordedAt: null,
  };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Which authorizations a request needs under a policy, and what its determinations say. Policies
 * from before authorizations existed have neither: both lists are empty. `today` (YYYY-MM-DD) adds
 * lead-time warnings.
 */
export function determine(input: PlanInput, policy: RoutingPolicy, today?: string): Determined {
  const facts = factsOf(input, policy);
  const kinds = policy.authorizations ?? [];
  const determinations: Determination[] = [];
  for (const rule of policy.determinations ?? []) {
    if (reasonsFor(rule.when, facts) === null) continue;
    determinations.push(determinationOf(rule, input));
  }
  const byKind = new Map<string, AuthorizationState>();
  for (const kind of kinds) {
    const held = reasonsFor(kind.appliesWhen, facts);
    if (held === null) continue;
    byKind.set(kind.kind, required(kind, input, kind.reason ? [kind.reason] : held));
  }
  for (const d of determinations) {
    if (d.outcome !== 'licence_required' || !d.authorization) continue;
    const existing = byKind.get(d.authorization);
    if (existing) {
      if (!existing.reasons.includes(d.reason)) existing.reasons.push(d.reason);
      continue;
    }
    const kind = kinds.find((k) => k.kind === d.authorization);
    if (kind) byKind.set(kind.kind, required(kind, input, [d.reason]));
  }
  // In the policy's order, whatever added them.
  const authorizations = kinds.map((k) => byKind.get(k.kind)).filter((a): a is AuthorizationState => !!a);
  const warnings = today
    ? authorizations
        .filter((a) => a.leadTimeDays > 0 && daysBetween(today, input.request.departureDate) < a.leadTimeDays)
        .map(
          (a) =>
            `${a.label}: the ${a.authority} usually needs ${a.leadTimeDays} days, and departure is ${daysBetween(today, input.request.departureDate)} days away`,
        )
    : [];
  return { authorizations, determinations, blocked: determinations.filter((d) => d.outcome === 'blocked'), warnings };
}

/** Where a condition's text names the declared company devices ("Take a loaner instead of {companyDevices}"). */
export const COMPANY_DEVICES_PLACEHOLDER = '{companyDevices}';

function determinationOf(rule: DeterminationRule, input: PlanInput): Determination {
  const devices = companyDevicesInWords(input.request.manifest);
  const condition = rule.condition?.replace(
    COMPANY_DEVICES_PLACEHOLDER,
    devices.length > 0 ? devices.join(' and ') : 'company devices',
  );
  return {
    rule: rule.rule,
    outcome: rule.outcome,
    reason: rule.reason,
    ...(condition ? { condition } : {}),
    ...(rule.contact ? { contact: rule.contact } : {}),
    ...(rule.authorization ? { authorization: rule.authorization } : {}),
  };
}

/**
 * After an amendment: the authorizations the amended request needs, keeping what was recorded on
 * kinds that still apply (a kind no longer needed drops out; a new one starts `required`), each
 * needed through the new return date; and the determinations made again.
 */
export function redetermine(
  state: Pick<RequestState, 'authorizations'>,
  now: Pick<Determined, 'authorizations' | 'determinations'>,
): { authorizations: AuthorizationState[]; determinations: Determination[] } {
  const recorded = new Map((state.authorizations ?? []).map((a) => [a.kind, a]));
  return {
    authorizations: now.authorizations.map((fresh) => {
      const before = recorded.get(fresh.kind);
      if (!before) return fresh;
      return {
        ...before,
        reasons: fresh.reasons,
        blocks: fresh.blocks,
        neededThrough: fresh.neededThrough,
      };
    }),
    determinations: now.determinations,
  };
}

/** The refusal at submission of a request with blocked determinations, in words: each reason and whom to contact. */
export function blockedMessage(blocked: Determination[]): string {
  return blocked.map((d) => (d.contact ? `${d.reason} Contact: ${d.contact}.` : d.reason)).join(' ');
}

/** The automatic conditions the determinations bring ("Loaner device only"). */
export function determinedConditions(determinations: readonly Determination[] | undefined): string[] {
  return (determinations ?? []).filter((d) => d.outcome === 'condition' && d.condition).map((d) => d.condition!);
}

/** Granted, and valid through the day it is needed through. */
export function isSatisfied(a: Pick<AuthorizationState, 'status' | 'validUntil' | 'neededThrough'>): boolean {
  return a.status === 'granted' && (a.validUntil === null || a.validUntil >= a.neededThrough);
}

/** The authorizations that block `block` and are not yet satisfied. */
export function outstanding(
  state: Pick<RequestState, 'authorizations'>,
  block: AuthorizationBlock,
): AuthorizationState[] {
  return (state.authorizations ?? []).filter((a) => a.blocks === block && !isSatisfied(a));
}

/** What the requester (or an admin) records of an authority's decision, as the workflow's Update carries it. */
export interface AuthorizationRecord {
  kind: string;
  actorEmail: string;
  /** The actor records as a compliance admin (the API checked the role). */
  asAdmin: boolean;
  at: string;
  /** Absent when only a decision document is attached. */
  status?: RecordedAuthorizationStatus;
  authority?: string | null;
  reference?: string | null;
  decidedAt?: string | null;
  validFrom?: string | null;
  validUntil?: string | null;
  reason?: string | null;
  documentSha256?: string | null;
}

/** Request statuses in which an authorization's progress may still be recorded. */
const OPEN_FOR_AUTHORIZATIONS = new Set(['pending', 'changes_requested', 'awaiting_authorization', 'approved']);

/** Which recorded status may follow which: a refusal is final; a grant may be recorded again (renewed, corrected). */
const NEXT: Record<AuthorizationStatus, readonly RecordedAuthorizationStatus[]> = {
  required: ['applied', 'granted', 'refused'],
  applied: ['applied', 'granted', 'refused'],
  granted: ['granted'],
  expired: ['applied', 'granted', 'refused'],
  refused: [],
};

/** The refusal recording an authorization would meet, or null when it may be applied. Used by the Update validator. */
export function authorizationRefusal(state: RequestState, input: AuthorizationRecord): Refusal | null {
  if (!input.asAdmin && input.actorEmail.toLowerCase() !== state.requesterEmail.toLowerCase()) {
    return { code: 'NOT_REQUESTER', message: 'only the requester or a compliance admin records an authorization' };
  }
  const current = (state.authorizations ?? []).find((a) => a.kind === input.kind);
  if (!current) {
    return {
      code: 'AUTHORIZATION_NOT_REQUIRED',
      message: `authorization ${input.kind} does not apply to this request`,
    };
  }
  if (!OPEN_FOR_AUTHORIZATIONS.has(state.status)) {
    return {
      code: 'REQUEST_NOT_PENDING',
      message: `the request is ${state.status}: nothing more is recorded on its authorizations`,
    };
  }
  if (input.status === undefined) {
    return current.status === 'refused'
      ? { code: 'AUTHORIZATION_NOT_OPEN', message: `${input.kind} was refused; its record is closed` }
      : null;
  }
  if (!NEXT[current.status].includes(input.status)) {
    return {
      code: 'AUTHORIZATION_NOT_OPEN',
      message: `${input.kind} is ${current.status} and cannot be recorded as ${input.status}`,
    };
  }
  if (state.status === 'approved' && input.status === 'refused' && current.blocks === 'approval') {
    return { code: 'AUTHORIZATION_NOT_OPEN', message: `the request was approved with ${input.kind} granted` };
  }
  return null;
}

/**
 * Records progress on an authorization (checked by authorizationRefusal). A refusal rejects the
 * request with the authority's reason; the last blocking grant moves a request awaiting its
 * authorizations to `approved`.
 */
export function recordAuthorization(state: RequestState, input: AuthorizationRecord): RequestState {
  const authorizations = (state.authorizations ?? []).map((a): AuthorizationState => {
    if (a.kind !== input.kind) return a;
    const document = input.documentSha256 ? { documentSha256: input.documentSha256 } : {};
    if (input.status === undefined) return { ...a, ...document };
    return {
      ...a,
      status: input.status,
      authority: input.authority?.trim() || a.authority,
      reference: input.reference ?? a.reference,
      decidedAt: input.decidedAt ?? a.decidedAt,
      validFrom: input.validFrom ?? a.validFrom,
      validUntil: input.validUntil ?? a.validUntil,
      reason: input.reason ?? a.reason,
      ...document,
      recordedBy: input.actorEmail.toLowerCase(),
      recordedAt: input.at,
    };
  });
  const next: RequestState = { ...state, authorizations, seq: state.seq + 1 };
  if (input.status === 'refused') {
    return {
      ...next,
      status: 'rejected',
      stages: next.stages.map((s) => (s.status === 'approved' ? s : { ...s, status: 'cancelled' as const })),
    };
  }
  if (next.status === 'awaiting_authorization' && outstanding(next, 'approval').length === 0) {
    return { ...next, status: 'approved' };
  }
  // A grant meets the obligation that tracks an authorization holding the departure; the request closes with its last.
  const granted = authorizations.find((a) => a.kind === input.kind);
  const obligationKind = `authorization-${input.kind}`;
  if (
    granted &&
    isSatisfied(granted) &&
    next.obligations.some((o) => o.kind === obligationKind && o.status !== 'fulfilled')
  ) {
    const obligations = next.obligations.map((o) =>
      o.kind === obligationKind
        ? { ...o, status: 'fulfilled' as const, fulfilledBy: input.actorEmail.toLowerCase(), fulfilledAt: input.at }
        : o,
    );
    const done = next.status === 'approved' && obligations.every((o) => o.status === 'fulfilled');
    return { ...next, obligations, status: done ? 'closed' : next.status };
  }
  return next;
}

/**
 * When a grant stops counting: the end (UTC) of its `validUntil` day, if that comes before the day it
 * is needed through; null for anything else (not granted, no end, valid long enough).
 */
export function expiresAt(a: Pick<AuthorizationState, 'status' | 'validUntil' | 'neededThrough'>): string | null {
  if (a.status !== 'granted' || a.validUntil === null || a.validUntil >= a.neededThrough) return null;
  return new Date(Date.parse(`${a.validUntil}T00:00:00.000Z`) + 86_400_000).toISOString();
}

/** The grant of this request that expires first (see expiresAt), with a key that changes when it is recorded again. */
export function nextExpiry(
  state: Pick<RequestState, 'authorizations'>,
): { kind: string; at: string; key: string } | null {
  let next: { kind: string; at: string; key: string } | null = null;
  for (const a of state.authorizations ?? []) {
    const at = expiresAt(a);
    if (at === null || (next && next.at <= at)) continue;
    next = { kind: a.kind, at, key: `${a.kind}|${a.validUntil}|${a.neededThrough}|${a.recordedAt}` };
  }
  return next;
}

/** The request statuses in which a grant's expiry is recorded (the same as those open to recording). */
export function watchesExpiry(state: Pick<RequestState, 'status'>): boolean {
  return OPEN_FOR_AUTHORIZATIONS.has(state.status);
}

/** The obligation an approved request gets when a grant it travels on expires: renew it. */
export function renewalLabel(a: Pick<AuthorizationState, 'label'>): string {
  return `Renew ${a.label}`;
}

/**
 * A grant's validity ended before it was needed through and no renewed grant was recorded: the
 * authorization is `expired`. A request still waiting for it keeps waiting (an expired grant never
 * counts); an approved one must renew it: the obligation that tracks it (a departure-holding one's,
 * or a new one) is overdue from the moment of expiry, labelled "Renew <label>", and met by the
 * renewed grant (recordAuthorization).
 */
export function expireAuthorization(state: RequestState, kind: string, at: string): RequestState {
  const expired = (state.authorizations ?? []).find((a) => a.kind === kind);
  if (!expired || expired.status !== 'granted') return state;
  const authorizations = (state.authorizations ?? []).map((a): AuthorizationState =>
    a.kind === kind ? { ...a, status: 'expired' } : a,
  );
  const next: RequestState = { ...state, authorizations, seq: state.seq + 1 };
  if (state.status !== 'approved') return next;
  const obligationKind = `authorization-${kind}`;
  const renewal = {
    kind: obligationKind,
    label: renewalLabel(expired),
    dueAt: at,
    status: 'overdue' as const,
    fulfilledBy: null,
    fulfilledAt: null,
  };
  const obligations = next.obligations.some((o) => o.kind === obligationKind)
    ? next.obligations.map((o) => (o.kind === obligationKind ? renewal : o))
    : [...next.obligations, renewal];
  return { ...next, obligations };
}

/** The authority's reason a request was rejected with, when a refusal rejected it. */
export function refusalReason(state: Pick<RequestState, 'authorizations'>): string | null {
  const refused = (state.authorizations ?? []).find((a) => a.status === 'refused');
  if (!refused) return null;
  return `${refused.label} refused by ${refused.authority}${refused.reason ? `: ${refused.reason}` : ''}`;
}
