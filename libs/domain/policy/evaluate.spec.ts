import { destinationRiskOf, planRoute, type PlanInput } from './evaluate';
import type { RequestInput } from '../request';
import type { ScreeningHit } from '../screening';
import type { RequestType, Tier } from '../vocabulary';
import { minimalRequest } from '../../../tests/support/domain-factories';

function input(
  type: RequestType,
  tier: Tier,
  overrides: Partial<RequestInput> = {},
  extra: Partial<PlanInput> = {},
): PlanInput {
  return { request: minimalRequest(type, { technologyAreas: ['general_software'], ...overrides }), tier, ...extra };
}

const hit = (counterparty: string, entryName: string): ScreeningHit => ({
  counterparty,
  counterpartyCountry: 'CN',
  entryId: 'e1',
  entryName,
  matchedName: entryName,
  source: 'Test list',
  score: 95,
});

/** Stages as lists of party names, the shape DOMAIN.md's table speaks in. */
function stages(plan: ReturnType<typeof planRoute>): string[][] {
  return plan.stages.map((s) => s.parties.map((p) => p.party));
}

describe('planRoute (default policy, DOMAIN.md)', () => {
  describe('conference', () => {
    it('should ask only hr for a standard employee with nothing sensitive', () => {
      expect(stages(planRoute(input('conference', 'standard')))).toEqual([['hr']]);
    });

    it.each(['core', 'strategic'] as const)('should add security when the tier is %s', (tier) => {
      const plan = planRoute(input('conference', tier));
      expect(stages(plan)).toEqual([['hr', 'security']]);
      expect(plan.stages[0].parties[1].reasons.join(' ')).toContain(tier);
    });

    it('should add security when the destination risk is high', () => {
      const plan = planRoute(input('conference', 'standard', { destinationCountry: 'KP' }));
      expect(plan.destinationRisk).toBe('high');
      expect(stages(plan)).toEqual([['hr', 'security']]);
      expect(plan.stages[0].parties[1].reasons).toEqual(['destination KP is rated high risk']);
    });

    it('should not add security for a low or elevated destination', () => {
      expect(stages(planRoute(input('conference', 'sensitive', {}, { destinationRisk: 'elevated' })))).toEqual([
        ['hr'],
      ]);
    });

    it('should add data_governance when presenting', () => {
      const plan = planRoute(input('conference', 'standard', { details: { eventName: 'Conf', presenting: true } }));
      expect(stages(plan)).toEqual([['hr', 'data_governance']]);
    });

    it('should add data_governance when any data category other than none leaves', () => {
      const plan = planRoute(input('conference', 'standard', { dataCategories: ['source_code'] }));
      expect(stages(plan)).toEqual([['hr', 'data_governance']]);
      expect(plan.stages[0].parties[1].reasons).toEqual(['data leaves the company: source_code']);
    });

    it.each(['ai_chips', 'eda', 'advanced_process'] as const)('should add legal for %s at any tier', (area) => {
      expect(stages(planRoute(input('conference', 'standard', { technologyAreas: [area] })))).toEqual([
        ['hr', 'legal'],
      ]);
    });

    it('should add legal for large_models only for core and strategic tiers', () => {
      expect(stages(planRoute(input('conference', 'sensitive', { technologyAreas: ['large_models'] })))).toEqual([
        ['hr'],
      ]);
      expect(stages(planRoute(input('conference', 'core', { technologyAreas: ['large_models'] })))).toEqual([
        ['hr', 'legal', 'security'],
      ]);
    });

    it('should ask all four parties in one stage when every condition holds, each with its reasons', () => {
      const plan = planRoute(
        input('conference', 'core', {
          destinationCountry: 'IR',
          technologyAreas: ['eda'],
          dataCategories: ['model_weights'],
          details: { eventName: 'Conf', presenting: true },
        }),
      );
      expect(stages(plan)).toEqual([['hr', 'legal', 'security', 'data_governance']]);
      const security = plan.stages[0].parties.find((p) => p.party === 'security')!;
      expect(security.reasons).toEqual(["requester's tier is core", 'destination IR is rated high risk']);
    });
  });

  it('should route overseas_assignment: hr and security, then legal and data_governance', () => {
    expect(stages(planRoute(input('overseas_assignment', 'standard')))).toEqual([
      ['hr', 'security'],
      ['legal', 'data_governance'],
    ]);
  });

  it('should route ma_participation: legal, then security, data_governance and hr', () => {
    expect(stages(planRoute(input('ma_participation', 'standard')))).toEqual([
      ['legal'],
      ['hr', 'security', 'data_governance'],
    ]);
  });

  it('should route passport_release to security and hr, and to all four for a strategic person', () => {
    expect(stages(planRoute(input('passport_release', 'core')))).toEqual([['hr', 'security']]);
    expect(stages(planRoute(input('passport_release', 'strategic')))).toEqual([
      ['hr', 'legal', 'security', 'data_governance'],
    ]);
  });

  it('should route departure_abroad to all four parties in parallel', () => {
    expect(stages(planRoute(input('departure_abroad', 'standard')))).toEqual([
      ['hr', 'legal', 'security', 'data_governance'],
    ]);
  });

  it('should always add legal and security for a restricted-party hit, and say which', () => {
    const plan = planRoute(
      input('conference', 'standard', {}, { screeningHits: [hit('Acme Quantum', 'ACME QUANTUM RESEARCH INSTITUTE')] }),
    );
    expect(stages(plan)).toEqual([['hr', 'legal', 'security']]);
    expect(plan.stages[0].parties[1].reasons[0]).toContain('Acme Quantum');
  });

  it('should keep a hit party in its own stage when the type already asks it later', () => {
    const plan = planRoute(input('ma_participation', 'standard', {}, { screeningHits: [hit('X', 'Y')] }));
    expect(stages(plan)).toEqual([['legal'], ['hr', 'security', 'data_governance']]);
    expect(plan.stages[1].parties.find((p) => p.party === 'security')!.reasons).toHaveLength(2);
  });

  it("should always ask security for a strategic person's request", () => {
    for (const type of [
      'conference',
      'overseas_assignment',
      'ma_participation',
      'passport_release',
      'departure_abroad',
    ] as const) {
      const parties = stages(planRoute(input(type, 'strategic'))).flat();
      expect(parties).toContain('security');
    }
  });

  it('should record the policy version and give every party at least one reason', () => {
    const plan = planRoute(input('overseas_assignment', 'core'));
    expect(plan.policyVersion).toBe(1);
    for (const party of plan.stages.flatMap((s) => s.parties)) expect(party.reasons.length).toBeGreaterThan(0);
  });

  it('should rate KP, IR and SY high and other countries low', () => {
    expect(['KP', 'IR', 'SY', 'kp'].map((c) => destinationRiskOf(c))).toEqual(['high', 'high', 'high', 'high']);
    expect(['US', 'DE', 'CN'].map((c) => destinationRiskOf(c))).toEqual(['low', 'low', 'low']);
  });
});
