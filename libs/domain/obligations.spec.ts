import {
  afterApprovalOf,
  earliestFulfilment,
  obligationsFor,
  passportDueBack,
  recordedByRequester,
} from './obligations';
import { DEFAULT_AFTER_APPROVAL, DEFAULT_POLICY, type AfterApproval, type RoutingPolicy } from './policy';
import type { RequestType, Tier } from './vocabulary';
import { minimalRequest } from '../../tests/support/domain-factories';

function policyWith(afterApproval: Partial<AfterApproval> | undefined): RoutingPolicy {
  const policy = structuredClone(DEFAULT_POLICY);
  if (afterApproval) policy.afterApproval = { ...DEFAULT_AFTER_APPROVAL, ...afterApproval };
  else delete policy.afterApproval;
  return policy;
}

function obligations(
  args: {
    type?: RequestType;
    tier?: Tier;
    conditions?: Array<{ party: string; condition: string }>;
    passportDueBackAt?: string | null;
    policy?: RoutingPolicy;
  } = {},
) {
  return obligationsFor({
    request: minimalRequest(args.type),
    tier: args.tier ?? 'standard',
    conditions: args.conditions ?? [],
    passportDueBackAt: args.passportDueBackAt ?? null,
    policy: args.policy ?? DEFAULT_POLICY,
  });
}

const kinds = (list: ReturnType<typeof obligations>) => list.map((o) => o.kind);

describe('obligationsFor (default policy)', () => {
  it('should ask a standard conference traveller only for a debrief, due 5 days after return', () => {
    expect(obligations()).toEqual([
      {
        kind: 'debrief',
        label: 'Debrief after return',
        dueAt: '2027-03-12T00:00:00.000Z',
        status: 'open',
        fulfilledBy: null,
        fulfilledAt: null,
      },
    ]);
  });

  it.each(['core', 'strategic'] as const)('should ask a %s person for training due a day before departure', (tier) => {
    const [training] = obligations({ tier });
    expect(training).toMatchObject({
      kind: 'training',
      label: 'Pre-departure confidentiality training',
      dueAt: '2027-02-28T00:00:00.000Z',
      status: 'open',
    });
  });

  it.each(['standard', 'sensitive'] as const)('should ask no training of a %s person', (tier) => {
    expect(kinds(obligations({ tier }))).not.toContain('training');
  });

  it.each([
    ['conference', true],
    ['overseas_assignment', true],
    ['ma_participation', true],
    ['passport_release', false],
    ['departure_abroad', false],
  ] as const)('should ask a debrief after a %s: %s', (type, debrief) => {
    expect(kinds(obligations({ type })).includes('debrief')).toBe(debrief);
  });

  it("should turn each approver's condition into an acknowledgement due at departure, numbered in order", () => {
    const list = obligations({
      type: 'departure_abroad',
      conditions: [
        { party: 'hr', condition: 'clean laptop only' },
        { party: 'security', condition: 'no model weights' },
      ],
    });
    expect(list.map((o) => [o.kind, o.label, o.dueAt])).toEqual([
      ['condition-1', "Acknowledge hr's condition: clean laptop only", '2027-03-01T00:00:00.000Z'],
      ['condition-2', "Acknowledge security's condition: no model weights", '2027-03-01T00:00:00.000Z'],
    ]);
  });

  it('should ask for the passport back by its due date when one was released', () => {
    const list = obligations({ type: 'passport_release', passportDueBackAt: '2027-03-10T00:00:00.000Z' });
    expect(list).toEqual([expect.objectContaining({ kind: 'passport_return', dueAt: '2027-03-10T00:00:00.000Z' })]);
  });

  it('should ask nothing of a passport release when no passport was released', () => {
    expect(obligations({ type: 'passport_release' })).toEqual([]);
  });

  it('should ask nothing of a standard departure abroad without conditions', () => {
    expect(obligations({ type: 'departure_abroad' })).toEqual([]);
  });

  it('should list training, conditions, debrief, then the passport', () => {
    const list = obligations({
      tier: 'core',
      conditions: [{ party: 'hr', condition: 'c' }],
      passportDueBackAt: '2027-03-10T00:00:00.000Z',
    });
    expect(kinds(list)).toEqual(['training', 'condition-1', 'debrief', 'passport_return']);
    expect(list.every((o) => o.status === 'open' && o.fulfilledBy === null && o.fulfilledAt === null)).toBe(true);
  });
});

describe('obligationsFor (policy rules)', () => {
  it("should follow the policy's tiers, types and durations", () => {
    const policy = policyWith({
      trainingTiers: ['sensitive'],
      trainingDueBefore: '7d',
      debriefTypes: ['departure_abroad'],
      debriefWithin: '12h',
    });
    expect(obligations({ tier: 'core', policy })).toEqual([]);
    expect(obligations({ type: 'departure_abroad', tier: 'sensitive', policy }).map((o) => [o.kind, o.dueAt])).toEqual([
      ['training', '2027-02-22T00:00:00.000Z'],
      ['debrief', '2027-03-07T12:00:00.000Z'],
    ]);
  });

  it("should count a permanent move's debrief from its trip end, the departure date", () => {
    const policy = policyWith({ debriefTypes: ['departure_abroad'], debriefWithin: '5d' });
    const list = obligationsFor({
      request: minimalRequest('departure_abroad', { departureDate: '2027-04-01', returnDate: undefined }),
      tier: 'standard',
      conditions: [],
      passportDueBackAt: null,
      policy,
    });
    expect(list.map((o) => [o.kind, o.dueAt])).toEqual([['debrief', '2027-04-06T00:00:00.000Z']]);
    expect(earliestFulfilment('debrief', '2027-04-01')).toBe('2027-04-01T00:00:00.000Z');
  });

  it('should apply the default rules to a policy version without afterApproval', () => {
    expect(obligations({ tier: 'core', policy: policyWith(undefined) })).toEqual(obligations({ tier: 'core' }));
  });
});

describe('afterApprovalOf', () => {
  it("should give the policy's own rules", () => {
    const policy = policyWith({ approvalValidity: '10d' });
    expect(afterApprovalOf(policy)).toBe(policy.afterApproval);
  });

  it('should give the default rules, a 30-day approval validity among them, when the policy has none', () => {
    expect(afterApprovalOf(policyWith(undefined))).toBe(DEFAULT_AFTER_APPROVAL);
    expect(DEFAULT_AFTER_APPROVAL.approvalValidity).toBe('30d');
  });
});

describe('passportDueBack', () => {
  it('should be due at the start of the return day plus 3 days of grace by default', () => {
    expect(passportDueBack(minimalRequest('passport_release'), DEFAULT_POLICY)).toBe('2027-03-10T00:00:00.000Z');
    expect(passportDueBack(minimalRequest('passport_release'), policyWith(undefined))).toBe('2027-03-10T00:00:00.000Z');
  });

  it("should use the policy's grace period", () => {
    expect(passportDueBack(minimalRequest('passport_release'), policyWith({ passportGrace: '36h' }))).toBe(
      '2027-03-08T12:00:00.000Z',
    );
  });
});

describe('recordedByRequester', () => {
  it.each([
    ['training', true],
    ['debrief', true],
    ['condition-1', true],
    ['condition-12', true],
    ['passport_return', false],
    ['anything_else', false],
  ] as const)('should say whether the requester records %s: %s', (kind, byRequester) => {
    expect(recordedByRequester(kind)).toBe(byRequester);
  });
});
