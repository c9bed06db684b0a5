import type { RequestInput } from './request';
import type { DestinationRisk, Party, RequestType, TechnologyArea, Tier } from './vocabulary';
import { PARTIES } from './vocabulary';

/**
 * The routing policy as data. Version 1 is the default of DOMAIN.md; later versions are stored
 * by admins. A request pins the version it started with: the plan computed from it is recorded in
 * the workflow's input and never recomputed.
 */
export interface RoutingPolicy {
  version: number;
  /** Country code (ISO 3166-1 alpha-2) to risk; countries not listed get `defaultDestinationRisk`. */
  destinationRisk: Record<string, DestinationRisk>;
  defaultDestinationRisk: DestinationRisk;
  /** Technology areas that are controlled for every tier, and those controlled only for some tiers. */
  controlledTechnology: { always: TechnologyArea[]; byTier: Partial<Record<Tier, TechnologyArea[]>> };
}

export const DEFAULT_POLICY: RoutingPolicy = {
  version: 1,
  destinationRisk: { KP: 'high', IR: 'high', SY: 'high' },
  defaultDestinationRisk: 'low',
  controlledTechnology: {
    always: ['ai_chips', 'eda', 'advanced_process'],
    byTier: { core: ['large_models'], strategic: ['large_models'] },
  },
};

export interface PlannedParty {
  party: Party;
  /** Why this party was asked, in words an approver reads in the email. */
  reasons: string[];
}

export interface PlannedStage {
  index: number;
  parties: PlannedParty[];
}

export interface RoutePlan {
  policyVersion: number;
  destinationRisk: DestinationRisk;
  stages: PlannedStage[];
}

export interface ScreeningHitSummary {
  counterparty: string;
  entry: string;
}

export interface PlanInput {
  request: RequestInput;
  tier: Tier;
  destinationRisk: DestinationRisk;
  screeningHits?: ScreeningHitSummary[];
}

export function destinationRiskOf(country: string, policy: RoutingPolicy = DEFAULT_POLICY): DestinationRisk {
  return policy.destinationRisk[country.toUpperCase()] ?? policy.defaultDestinationRisk;
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

/** Collects parties stage by stage, merging reasons when a party is asked for several reasons. */
class PlanBuilder {
  private readonly stages: PlannedParty[][] = [];

  add(stage: number, party: Party, reason: string): this {
    const existing = this.find(party);
    if (existing) {
      if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
      return this;
    }
    while (this.stages.length < stage) this.stages.push([]);
    this.stages[stage - 1].push({ party, reasons: [reason] });
    return this;
  }

  /** Adds the party to the first stage unless some stage already has it (then only the reason is kept). */
  require(party: Party, reason: string): this {
    return this.add(this.find(party) ? this.stageOf(party) : 1, party, reason);
  }

  build(policyVersion: number, destinationRisk: DestinationRisk): RoutePlan {
    const order = (p: PlannedParty) => PARTIES.indexOf(p.party);
    return {
      policyVersion,
      destinationRisk,
      stages: this.stages
        .filter((parties) => parties.length > 0)
        .map((parties, i) => ({ index: i + 1, parties: [...parties].sort((a, b) => order(a) - order(b)) })),
    };
  }

  private find(party: Party): PlannedParty | undefined {
    return this.stages.flat().find((p) => p.party === party);
  }

  private stageOf(party: Party): number {
    return this.stages.findIndex((parties) => parties.some((p) => p.party === party)) + 1;
  }
}

/**
 * The default routing policy of DOMAIN.md as a pure function: which parties decide, in which
 * stages, and why each was asked.
 */
export function planRoute(input: PlanInput, policy: RoutingPolicy = DEFAULT_POLICY): RoutePlan {
  const { request, tier, destinationRisk } = input;
  const plan = new PlanBuilder();
  const label = TYPE_LABEL[request.type];
  const standing = (party: Party) => `${party} reviews every ${label}`;

  switch (request.type) {
    case 'conference': {
      plan.add(1, 'hr', standing('hr'));
      if (tier === 'core' || tier === 'strategic') plan.add(1, 'security', `requester's tier is ${tier}`);
      if (destinationRisk === 'high') {
        plan.add(1, 'security', `destination ${request.destinationCountry} is rated high risk`);
      }
      const details = request.details as RequestInput<'conference'>['details'];
      if (details.presenting) plan.add(1, 'data_governance', 'requester presents at the event');
      const leaving = request.dataCategories.filter((c) => c !== 'none');
      if (leaving.length > 0) plan.add(1, 'data_governance', `data leaves the company: ${leaving.join(', ')}`);
      const controlled = controlledAreasFor(request.technologyAreas, tier, policy);
      if (controlled.length > 0) {
        plan.add(1, 'legal', `controlled technology for tier ${tier}: ${controlled.join(', ')}`);
      }
      break;
    }
    case 'overseas_assignment':
      plan.add(1, 'hr', standing('hr')).add(1, 'security', standing('security'));
      plan.add(2, 'legal', standing('legal')).add(2, 'data_governance', standing('data_governance'));
      break;
    case 'ma_participation':
      plan.add(1, 'legal', standing('legal'));
      plan.add(2, 'security', standing('security')).add(2, 'data_governance', standing('data_governance'));
      plan.add(2, 'hr', standing('hr'));
      break;
    case 'passport_release':
      plan.add(1, 'security', standing('security')).add(1, 'hr', standing('hr'));
      if (tier === 'strategic') {
        plan
          .add(1, 'legal', "requester's tier is strategic")
          .add(1, 'data_governance', "requester's tier is strategic");
      }
      break;
    case 'departure_abroad':
      plan.add(1, 'hr', 'confidentiality obligations and non-compete');
      plan.add(1, 'legal', 'non-compete and export control');
      plan.add(1, 'security', 'national-security and confidentiality review');
      plan.add(1, 'data_governance', 'data security: what leaves with the person');
      break;
    default: {
      const unknown: never = request.type;
      throw new Error(`no routing rule for request type ${String(unknown)}`);
    }
  }

  for (const hit of input.screeningHits ?? []) {
    const reason = `counterparty "${hit.counterparty}" matches restricted party "${hit.entry}"`;
    plan.require('legal', reason).require('security', reason);
  }
  if (tier === 'strategic') plan.require('security', "a strategic person's request always needs security");

  return plan.build(policy.version, destinationRisk);
}
