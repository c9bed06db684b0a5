import { determine } from './authorizations';
import type { PersonFlags } from './person';
import { planRoute, type RoutingPolicy } from './policy';
import type { RequestInput } from './request';
import type { ScreeningHit } from './screening';
import type { Tier } from './vocabulary';

/**
 * What a policy makes of one request, in the terms a policy change is judged by: the parties of
 * each stage, whether the destination is blocked (and by which rules), and which external
 * authorizations it needs. Pure: `POST /api/policy/simulate` compares a request under its pinned
 * version with the same request under a draft.
 */
export interface PolicyOutcome {
  stages: string[][];
  blocked: string[];
  authorizations: string[];
}

export interface SimulatedRequest {
  request: RequestInput;
  tier: Tier;
  flags?: PersonFlags;
  screeningHits: ScreeningHit[];
}

export function policyOutcome(r: SimulatedRequest, policy: RoutingPolicy): PolicyOutcome {
  const facts = { request: r.request, tier: r.tier, flags: r.flags, screeningHits: r.screeningHits };
  const plan = planRoute(facts, policy);
  const { blocked, authorizations } = determine(facts, policy);
  return {
    stages: plan.stages.map((s) => s.parties.map((p) => p.party)),
    blocked: blocked.map((d) => d.rule),
    authorizations: authorizations.map((a) => `${a.kind}:${a.blocks}`),
  };
}

/** The two outcomes when they differ, or null when the draft changes nothing for this request. */
export function outcomeChange(
  r: SimulatedRequest,
  pinned: RoutingPolicy,
  draft: RoutingPolicy,
): { before: PolicyOutcome; after: PolicyOutcome } | null {
  const before = policyOutcome(r, pinned);
  const after = policyOutcome(r, draft);
  return JSON.stringify(before) === JSON.stringify(after) ? null : { before, after };
}
