import { companyDevicesInWords, unpublishedTitles } from '../manifest';
import type { PersonFlags } from '../person';
import type { RequestInput } from '../request';
import type { ScreeningHit } from '../screening';
import type { DestinationRisk, Party, RequestType, TechnologyArea, Tier } from '../vocabulary';
import { PARTIES } from '../vocabulary';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import { durationMs, type Condition, type PolicyRule, type RoutingPolicy } from './policy-schema';

/**
 * Evaluates a routing policy for one request: which parties decide, in which stages, why each was
 * asked, and each party's quorum and deadlines. Pure and deterministic: the workflow runs it.
 */

export const DEFAULT_POLICY: RoutingPolicy = { version: 1, ...DEFAULT_POLICY_DOCUMENT };

export interface PartyDeadlines {
  reminderAfterMs: number;
  reminderEveryMs: number;
  escalateAfterMs: number;
  expireAfterMs: number;
}

export interface PlannedParty {
  party: Party;
  /** Why this party was asked, in words an approver reads in the email. */
  reasons: string[];
  /** How many members must approve. */
  quorum: number;
  deadlines: PartyDeadlines;
}

export interface PlannedStage {
  index: number;
  parties: PlannedParty[];
}

export interface RoutePlan {
  policyVersion: number;
  destinationRisk: DestinationRisk;
  screeningHits: ScreeningHit[];
  stages: PlannedStage[];
}

export interface PlanInput {
  request: RequestInput;
  tier: Tier;
  screeningHits?: ScreeningHit[];
  /** Overrides the policy's destination risk table (dry runs, tests). */
  destinationRisk?: DestinationRisk;
  /** The requester's directory flags at submission (none when omitted). */
  flags?: PersonFlags;
}

export const NO_FLAGS: PersonFlags = { classifiedAccess: false, confidentialityPeriodEnds: null };

export function destinationRiskOf(country: string, policy: RoutingPolicy = DEFAULT_POLICY): DestinationRisk {
  return policy.destinationRisk.countries[country.toUpperCase()] ?? policy.destinationRisk.default;
}

export function controlledAreasFor(
  areas: readonly TechnologyArea[],
  tier: Tier,
  policy: RoutingPolicy = DEFAULT_POLICY,
): TechnologyArea[] {
  const controlled = new Set([
    ...policy.controlledTechnology.always,
    ...(policy.controlledTechnology.byTier[tier] ?? []),
  ]);
  return areas.filter((area) => controlled.has(area));
}

const TYPE_LABEL: Record<RequestType, string> = {
  conference: 'conference trip',
  overseas_assignment: 'overseas assignment',
  ma_participation: 'cross-border deal',
  passport_release: 'passport release',
  departure_abroad: 'departure abroad',
};

export interface Facts {
  request: RequestInput;
  tier: Tier;
  destinationRisk: DestinationRisk;
  screeningHits: ScreeningHit[];
  policy: RoutingPolicy;
  flags: PersonFlags;
}

/** The facts a policy's conditions test, for one request. */
export function factsOf(input: PlanInput, policy: RoutingPolicy): Facts {
  return {
    request: input.request,
    tier: input.tier,
    destinationRisk: input.destinationRisk ?? destinationRiskOf(input.request.destinationCountry, policy),
    screeningHits: input.screeningHits ?? [],
    policy,
    flags: input.flags ?? NO_FLAGS,
  };
}

/** The reason a screening hit gives a party (it names the entry: only those who may read the list see it). */
export function screeningHitReason(hit: Pick<ScreeningHit, 'counterparty' | 'entryName'>): string {
  return `counterparty "${hit.counterparty}" matches restricted party "${hit.entryName}"`;
}

/** The reasons a condition holds (one per fact that made it hold), or null when it does not. */
export function reasonsFor(condition: Condition, facts: Facts): string[] | null {
  const { request, tier } = facts;
  if ('anyOf' in condition) {
    const held = condition.anyOf.map((c) => reasonsFor(c, facts)).filter((r): r is string[] => r !== null);
    return held.length > 0 ? held.flat() : null;
  }
  if ('allOf' in condition) {
    const all = condition.allOf.map((c) => reasonsFor(c, facts));
    return all.every((r) => r !== null) ? all.flat() : null;
  }
  if ('tierIn' in condition) return condition.tierIn.includes(tier) ? [`requester's tier is ${tier}`] : null;
  if ('destinationRiskIn' in condition) {
    return condition.destinationRiskIn.includes(facts.destinationRisk)
      ? [`destination ${request.destinationCountry} is rated ${facts.destinationRisk} risk`]
      : null;
  }
  if ('presenting' in condition) {
    const presenting =
      request.type === 'conference' && (request.details as { presenting?: boolean }).presenting === true;
    return presenting ? ['requester presents at the event'] : null;
  }
  if ('dataLeaves' in condition) {
    const leaving = request.dataCategories.filter((c) => c !== 'none');
    return leaving.length > 0 ? [`data leaves the company: ${leaving.join(', ')}`] : null;
  }
  if ('dataCategoriesAny' in condition) {
    const named = request.dataCategories.filter((c) => condition.dataCategoriesAny.includes(c));
    return named.length > 0 ? [`data categories: ${named.join(', ')}`] : null;
  }
  if ('controlledTechnology' in condition) {
    const controlled = controlledAreasFor(request.technologyAreas, tier, facts.policy);
    return controlled.length > 0 ? [`controlled technology for tier ${tier}: ${controlled.join(', ')}`] : null;
  }
  if ('technologyAreasAny' in condition) {
    const named = request.technologyAreas.filter((a) => condition.technologyAreasAny.includes(a));
    return named.length > 0 ? [`technology areas: ${named.join(', ')}`] : null;
  }
  if ('screeningHit' in condition) {
    const hits = facts.screeningHits.map(screeningHitReason);
    return hits.length > 0 ? hits : null;
  }
  if ('not' in condition) return reasonsFor(condition.not, facts) === null ? [] : null;
  if ('requestTypeIn' in condition) {
    return condition.requestTypeIn.includes(request.type) ? [`the request is a ${TYPE_LABEL[request.type]}`] : null;
  }
  if ('destinationIn' in condition) {
    const country = request.destinationCountry.toUpperCase();
    return condition.destinationIn.includes(country) ? [`destination is ${country}`] : null;
  }
  if ('classifiedAccess' in condition) {
    return facts.flags.classifiedAccess ? ['requester has classified access'] : null;
  }
  if ('inConfidentialityPeriod' in condition) {
    const ends = facts.flags.confidentialityPeriodEnds;
    return ends && ends >= request.departureDate ? [`requester's confidentiality period runs until ${ends}`] : null;
  }
  if ('unpublishedMaterial' in condition) {
    const titles = unpublishedTitles(request.manifest);
    return titles.length > 0 ? titles.map((title) => `unpublished material to be shown: ${title}`) : null;
  }
  if ('companyDevice' in condition) {
    const devices = companyDevicesInWords(request.manifest);
    return devices.length > 0 ? devices.map((d) => `${d} declared`) : null;
  }
  const unknown: never = condition;
  throw new Error(`unknown policy condition ${JSON.stringify(unknown)}`);
}

/** The reasons a rule applies, or null when it does not. */
function ruleReasons(rule: Pick<PolicyRule, 'party' | 'when' | 'reason'>, facts: Facts): string[] | null {
  const held = rule.when
    ? reasonsFor(rule.when, facts)
    : [`${rule.party} reviews every ${TYPE_LABEL[facts.request.type]}`];
  if (!held) return null;
  return rule.reason ? [rule.reason] : held;
}

export function planRoute(input: PlanInput, policy: RoutingPolicy = DEFAULT_POLICY): RoutePlan {
  const facts = factsOf(input, policy);
  const stages = new Map<Party, { stage: number; reasons: string[] }>();
  const add = (party: Party, stage: number, reasons: string[]) => {
    const existing = stages.get(party);
    if (!existing) return void stages.set(party, { stage, reasons: [...reasons] });
    for (const reason of reasons) if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
  };

  for (const rule of policy.routes[input.request.type]) {
    const reasons = ruleReasons(rule, facts);
    if (reasons) add(rule.party, rule.stage, reasons);
  }
  for (const rule of policy.always) {
    const reasons = ruleReasons(rule, facts);
    if (reasons) add(rule.party, stages.get(rule.party)?.stage ?? rule.stage ?? 1, reasons);
  }

  const used = [...new Set([...stages.values()].map((s) => s.stage))].sort((a, b) => a - b);
  return {
    policyVersion: policy.version,
    destinationRisk: facts.destinationRisk,
    screeningHits: facts.screeningHits,
    stages: used.map((stage, i) => ({
      index: i + 1,
      parties: PARTIES.filter((p) => stages.get(p)?.stage === stage).map((party) => {
        const settings = policy.parties[party];
        const d = settings.deadlines;
        return {
          party,
          reasons: stages.get(party)!.reasons,
          quorum: settings.quorum,
          deadlines: {
            reminderAfterMs: durationMs(d.reminderAfter),
            reminderEveryMs: durationMs(d.reminderEvery),
            escalateAfterMs: durationMs(d.escalateAfter),
            expireAfterMs: durationMs(d.expireAfter),
          },
        };
      }),
    })),
  };
}
