import { DEFAULT_AFTER_APPROVAL, durationMs, type RoutingPolicy } from './policy';
import { isSatisfied, type AuthorizationState } from './authorizations';
import { tripEnd, type RequestInput } from './request';
import type { Tier } from './vocabulary';

/**
 * What an approved request must still do before it is closed: training before departure, each
 * approver condition acknowledged, a debrief after return, the passport back in custody.
 */
export type ObligationStatus = 'open' | 'overdue' | 'fulfilled';

export interface Obligation {
  /** `training`, `debrief`, `passport_return`, or `condition-<n>` for the n-th condition. */
  kind: string;
  label: string;
  dueAt: string | null;
  status: ObligationStatus;
  fulfilledBy: string | null;
  fulfilledAt: string | null;
}

/** The obligation that tracks an authorization holding the departure: met when the authority's grant is recorded. */
export function authorizationObligation(kind: string): string {
  return `authorization-${kind}`;
}

/** Kinds the requester records through `POST /api/requests/:id/obligations/:kind`. */
export function recordedByRequester(kind: string): boolean {
  return kind === 'training' || kind === 'debrief' || kind.startsWith('condition-');
}

/**
 * Obligations about the trip itself (a debrief after return) cannot be met before it has ended:
 * the earliest moment one may be recorded is the start of the trip's last day (UTC, `tripEnd`: the
 * return date, or a permanent move's departure date), else null.
 */
export function earliestFulfilment(kind: string, tripEndDate: string): string | null {
  return kind === 'debrief' ? at(tripEndDate, 0) : null;
}

function at(date: string, offsetMs: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + offsetMs).toISOString();
}

/**
 * When a released passport must have been collected: the end of the trip's last day (tripEnd). A passport
 * nobody collected by then never travelled, so its release lapses and it stays in custody.
 */
export function passportCollectBy(request: RequestInput): string {
  return at(tripEnd(request), 24 * 60 * 60 * 1000);
}

export function afterApprovalOf(policy: RoutingPolicy) {
  return policy.afterApproval ?? DEFAULT_AFTER_APPROVAL;
}

/** When a released passport is due back: the start of the trip's last day (tripEnd) plus the grace period. */
export function passportDueBack(request: RequestInput, policy: RoutingPolicy): string {
  return at(tripEnd(request), durationMs(afterApprovalOf(policy).passportGrace));
}

export function obligationsFor(args: {
  request: RequestInput;
  tier: Tier;
  conditions: Array<{ party: string; condition: string }>;
  passportDueBackAt: string | null;
  policy: RoutingPolicy;
  /** The request's external authorizations: each one that holds the departure and is not granted yet is due by departure. */
  authorizations?: ReadonlyArray<
    Pick<AuthorizationState, 'kind' | 'label' | 'blocks' | 'status' | 'validUntil' | 'neededThrough'>
  >;
}): Obligation[] {
  const rules = afterApprovalOf(args.policy);
  const open = (kind: string, label: string, dueAt: string | null): Obligation => ({
    kind,
    label,
    dueAt,
    status: 'open',
    fulfilledBy: null,
    fulfilledAt: null,
  });
  const list: Obligation[] = [];
  if (rules.trainingTiers.includes(args.tier)) {
    list.push(
      open(
        'training',
        'Pre-departure confidentiality training',
        at(args.request.departureDate, -durationMs(rules.trainingDueBefore)),
      ),
    );
  }
  args.conditions.forEach(({ party, condition }, i) => {
    list.push(
      open(`condition-${i + 1}`, `Acknowledge ${party}'s condition: ${condition}`, at(args.request.departureDate, 0)),
    );
  });
  if (rules.debriefTypes.includes(args.request.type)) {
    list.push(open('debrief', 'Debrief after return', at(tripEnd(args.request), durationMs(rules.debriefWithin))));
  }
  if (args.passportDueBackAt) list.push(open('passport_return', 'Passport back in custody', args.passportDueBackAt));
  for (const a of args.authorizations ?? []) {
    if (a.blocks !== 'departure' || isSatisfied(a)) continue;
    list.push(
      open(authorizationObligation(a.kind), `${a.label} granted before departure`, at(args.request.departureDate, 0)),
    );
  }
  return list;
}
