import { outcomeChange, policyOutcome } from './policy-simulation';
import { DEFAULT_POLICY, type RoutingPolicy } from './policy';
import { minimalRequest } from '../../tests/support/domain-factories';

describe('policy simulation', () => {
  const carol = { request: minimalRequest('conference'), tier: 'standard' as const, screeningHits: [] };

  it('should describe a request by its stages, blocked rules and authorizations', () => {
    expect(policyOutcome({ ...carol, tier: 'core' }, DEFAULT_POLICY)).toEqual({
      stages: [['hr', 'security']],
      blocked: [],
      authorizations: ['official_exit_approval:approval'],
    });
  });

  it('should report a request a stricter draft treats differently, and nothing for one it treats the same', () => {
    const stricter: RoutingPolicy = structuredClone(DEFAULT_POLICY);
    stricter.version = 2;
    stricter.determinations!.push({
      rule: 'no_us_travel',
      when: { destinationIn: ['US'] },
      outcome: 'blocked',
      reason: 'no travel to the US this quarter',
    });
    expect(outcomeChange(carol, DEFAULT_POLICY, stricter)).toEqual({
      before: { stages: [['hr']], blocked: [], authorizations: [] },
      after: { stages: [['hr']], blocked: ['no_us_travel'], authorizations: [] },
    });
    const toJapan = { ...carol, request: minimalRequest('conference', { destinationCountry: 'JP' }) };
    expect(outcomeChange(toJapan, DEFAULT_POLICY, stricter)).toBeNull();
  });
});
