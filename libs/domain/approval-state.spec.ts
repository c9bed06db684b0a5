import {
  applyDecision,
  currentStage,
  DecisionRefused,
  expire,
  findApproval,
  fulfil,
  initialState,
  isFinal,
  lapse,
  markOverdue,
  refusalFor,
  restartCurrentStage,
  roundRefusal,
  withdraw,
  withdrawRefusal,
  withObligations,
  type DecisionInput,
  type RequestState,
} from './approval-state';
import type { Obligation } from './obligations';
import { DEFAULT_POLICY, planRoute, type RoutingPolicy } from './policy';
import { REQUEST_STATUSES, type Party, type RequestType, type Tier } from './vocabulary';
import { minimalRequest } from '../../tests/support/domain-factories';

/**
 * The pure state machine the approval workflow runs (tests/workflow/request-approval.workflow.int-spec.ts
 * drives the same rules through a real Temporal server). Plans come from the real default policy.
 */

const REQUESTER = 'alice@example.com';
const AT = '2027-01-10T09:00:00.000Z';

/** The default policy with some parties' quorum raised. */
function policyWithQuorum(quorums: Partial<Record<Party, number>>): RoutingPolicy {
  const policy = structuredClone(DEFAULT_POLICY);
  for (const [party, quorum] of Object.entries(quorums)) policy.parties[party as Party].quorum = quorum;
  return policy;
}

/**
 * A fresh request of this type, routed by the default policy:
 * - conference/standard: [hr]
 * - overseas_assignment: [hr, security] then [legal, data_governance]
 * - ma_participation: [legal] then [hr, security, data_governance]
 * - passport_release/core: [hr, security]
 * - departure_abroad: [hr, legal, security, data_governance]
 */
function start(type: RequestType, tier: Tier = 'standard', policy: RoutingPolicy = DEFAULT_POLICY): RequestState {
  return initialState('req-1', REQUESTER, planRoute({ request: minimalRequest(type), tier }, policy));
}

const approve = (party: Party, actorEmail: string, extra: Partial<DecisionInput> = {}): DecisionInput => ({
  party,
  decision: 'approve',
  actorEmail,
  decidedAt: AT,
  ...extra,
});
const reject = (party: Party, actorEmail: string, comment = 'no'): DecisionInput =>
  approve(party, actorEmail, { decision: 'reject', comment });
const requestChanges = (party: Party, actorEmail: string, comment = 'name the trip'): DecisionInput =>
  approve(party, actorEmail, { decision: 'request_changes', comment });

/** Applies decisions in order. */
function decide(state: RequestState, ...decisions: DecisionInput[]): RequestState {
  return decisions.reduce(applyDecision, state);
}

/** The refusal code a decision would meet, or null. */
function refusalCode(state: RequestState, input: DecisionInput): string | null {
  return refusalFor(state, input)?.code ?? null;
}

/** The code of the DecisionRefused a transition throws (fails the test on any other outcome). */
function thrownCode(transition: () => unknown): string {
  try {
    transition();
  } catch (error) {
    if (error instanceof DecisionRefused) return error.code;
    throw error;
  }
  throw new Error('the transition was accepted');
}

const statusesOf = (state: RequestState) => state.stages.map((s) => s.approvals.map((a) => [a.party, a.status]));
const stageStatuses = (state: RequestState) => state.stages.map((s) => s.status);

/** overseas_assignment with stage 1 approved: legal and data_governance are deciding. */
const inSecondStage = () =>
  decide(start('overseas_assignment'), approve('hr', 'hr@example.com'), approve('security', 'sec@example.com'));

describe('initialState', () => {
  it('should open the first stage and keep later stages waiting', () => {
    const state = start('overseas_assignment');
    expect(state).toMatchObject({ status: 'pending', currentStage: 1, round: 1, deciders: {}, obligations: [] });
    expect(stageStatuses(state)).toEqual(['active', 'waiting']);
    expect(statusesOf(state)).toEqual([
      [
        ['hr', 'pending'],
        ['security', 'pending'],
      ],
      [
        ['legal', 'waiting'],
        ['data_governance', 'waiting'],
      ],
    ]);
  });

  it("should keep each party's reasons and quorum from the plan", () => {
    const state = start('conference', 'standard', policyWithQuorum({ hr: 2 }));
    expect(state.stages[0].approvals[0]).toMatchObject({
      party: 'hr',
      quorum: 2,
      reasons: ['hr reviews every conference trip'],
      approvedBy: [],
      decidedBy: null,
    });
  });

  it("should hold the requester's email in lower case", () => {
    const state = initialState(
      'req-1',
      'Alice@Example.COM',
      planRoute({ request: minimalRequest('conference'), tier: 'standard' }),
    );
    expect(state.requesterEmail).toBe(REQUESTER);
  });

  it('should find a party in any stage and nothing for a party not asked', () => {
    const state = start('overseas_assignment');
    expect(findApproval(state, 'legal')).toMatchObject({ stageIndex: 2, status: 'waiting' });
    expect(findApproval(start('conference'), 'legal')).toBeUndefined();
  });
});

describe('stage progression', () => {
  it('should keep the stage open until every party of it approves', () => {
    const state = decide(start('overseas_assignment'), approve('hr', 'hr@example.com'));
    expect(state.status).toBe('pending');
    expect(state.currentStage).toBe(1);
    expect(stageStatuses(state)).toEqual(['active', 'waiting']);
    expect(statusesOf(state)[0]).toEqual([
      ['hr', 'approved'],
      ['security', 'pending'],
    ]);
  });

  it('should let the parties of a stage decide in any order', () => {
    const a = decide(start('overseas_assignment'), approve('hr', 'hr@example.com'), approve('security', 's@x.com'));
    const b = decide(start('overseas_assignment'), approve('security', 's@x.com'), approve('hr', 'hr@example.com'));
    expect(statusesOf(a)).toEqual(statusesOf(b));
    expect(a.currentStage).toBe(2);
  });

  it('should open the next stage, waiting to pending, when the current one is approved', () => {
    const state = inSecondStage();
    expect(state.status).toBe('pending');
    expect(state.currentStage).toBe(2);
    expect(currentStage(state).index).toBe(2);
    expect(stageStatuses(state)).toEqual(['approved', 'active']);
    expect(statusesOf(state)[1]).toEqual([
      ['legal', 'pending'],
      ['data_governance', 'pending'],
    ]);
  });

  it('should refuse a party whose stage is not open yet', () => {
    const refusal = refusalFor(start('overseas_assignment'), approve('legal', 'legal@example.com'));
    expect(refusal?.code).toBe('PARTY_NOT_AWAITING');
    expect(refusal?.message).toContain('not open yet');
  });

  it('should approve the request when the last stage is approved', () => {
    const state = decide(
      inSecondStage(),
      approve('legal', 'legal@example.com'),
      approve('data_governance', 'dg@x.com'),
    );
    expect(state.status).toBe('approved');
    expect(state.currentStage).toBe(2);
    expect(stageStatuses(state)).toEqual(['approved', 'approved']);
  });

  it('should approve a one-stage request on its last approval', () => {
    expect(decide(start('conference'), approve('hr', 'hr@example.com')).status).toBe('approved');
  });

  it('should count every change once in seq, opening the next stage included', () => {
    const first = start('overseas_assignment');
    const second = decide(first, approve('hr', 'hr@example.com'));
    const third = decide(second, approve('security', 'sec@example.com'));
    expect([second.seq - first.seq, third.seq - second.seq]).toEqual([1, 1]);
  });

  it('should leave the state it was given untouched', () => {
    const state = start('overseas_assignment');
    const copy = structuredClone(state);
    decide(state, approve('hr', 'hr@example.com'), approve('security', 'sec@example.com'));
    expect(state).toEqual(copy);
  });

  it('should record the decision with a trimmed comment, conditions and the time', () => {
    const state = decide(
      start('overseas_assignment'),
      approve('hr', 'HR@Example.com', { comment: '  fine  ', conditions: ['clean laptop only'] }),
    );
    expect(findApproval(state, 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'hr@example.com',
      onBehalfOf: null,
      comment: 'fine',
      conditions: ['clean laptop only'],
      decidedAt: AT,
    });
  });
});

describe('quorum', () => {
  const twoForHr = () => start('conference', 'standard', policyWithQuorum({ hr: 2 }));

  it('should keep the party pending until k members approve, showing who approved so far', () => {
    const state = decide(twoForHr(), approve('hr', 'hr@example.com', { conditions: ['clean laptop only'] }));
    expect(state.status).toBe('pending');
    expect(findApproval(state, 'hr')).toMatchObject({
      status: 'pending',
      quorum: 2,
      decidedBy: null,
      conditions: ['clean laptop only'],
    });
    expect(findApproval(state, 'hr')!.approvedBy).toEqual([
      { by: 'hr@example.com', onBehalfOf: null, at: AT, comment: null, conditions: ['clean laptop only'] },
    ]);
  });

  it('should approve on the k-th member, settled by the last one, with every condition once', () => {
    const state = decide(
      twoForHr(),
      approve('hr', 'hr@example.com', { conditions: ['clean laptop only'] }),
      approve('hr', 'hr-lead@example.com', { conditions: ['clean laptop only', 'debrief within 5 days'] }),
    );
    expect(state.status).toBe('approved');
    expect(findApproval(state, 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'hr-lead@example.com',
      conditions: ['clean laptop only', 'debrief within 5 days'],
    });
    expect(findApproval(state, 'hr')!.approvedBy.map((v) => v.by)).toEqual(['hr@example.com', 'hr-lead@example.com']);
  });

  it('should refuse a member who already approved, in any letter case', () => {
    const state = decide(twoForHr(), approve('hr', 'hr@example.com'));
    expect(refusalCode(state, approve('hr', 'hr@example.com'))).toBe('ALREADY_APPROVED');
    expect(refusalCode(state, approve('hr', 'HR@EXAMPLE.COM'))).toBe('ALREADY_APPROVED');
  });

  it('should refuse a delegate for a member who already approved, and that member as a delegate', () => {
    const state = decide(twoForHr(), approve('hr', 'hr@example.com'));
    expect(refusalCode(state, approve('hr', 'carol@example.com', { onBehalfOf: 'hr@example.com' }))).toBe(
      'ALREADY_APPROVED',
    );
    expect(refusalCode(state, approve('hr', 'hr@example.com', { onBehalfOf: 'hr-lead@example.com' }))).toBe(
      'ALREADY_APPROVED',
    );
    const byDelegate = decide(twoForHr(), approve('hr', 'carol@example.com', { onBehalfOf: 'hr@example.com' }));
    expect(refusalCode(byDelegate, approve('hr', 'hr@example.com'))).toBe('ALREADY_APPROVED');
  });

  it('should let one refusal by another member reject the party before its quorum is met', () => {
    const state = decide(twoForHr(), approve('hr', 'hr@example.com'), reject('hr', 'hr-lead@example.com'));
    expect(state.status).toBe('rejected');
    expect(findApproval(state, 'hr')).toMatchObject({ status: 'rejected', decidedBy: 'hr-lead@example.com' });
  });
});

describe('the requester', () => {
  it.each([
    ['as themselves', approve('hr', REQUESTER)],
    ['in another letter case', approve('hr', 'ALICE@example.com')],
    ['as a delegate', approve('hr', REQUESTER, { onBehalfOf: 'hr@example.com' })],
    ['through a delegate acting for them', approve('hr', 'carol@example.com', { onBehalfOf: REQUESTER })],
    ['by rejecting', reject('hr', REQUESTER)],
  ])('should never decide their own request %s', (_how, input) => {
    expect(refusalCode(start('departure_abroad'), input)).toBe('REQUESTER_CANNOT_DECIDE');
  });

  it('should be refused even when their request was created with an upper-case email', () => {
    const state = initialState(
      'r',
      'ALICE@EXAMPLE.COM',
      planRoute({ request: minimalRequest('conference'), tier: 'standard' }),
    );
    expect(refusalCode(state, approve('hr', REQUESTER))).toBe('REQUESTER_CANNOT_DECIDE');
  });
});

describe('four eyes', () => {
  it('should refuse a person who decided for one party when they decide for another', () => {
    const state = decide(start('departure_abroad'), approve('hr', 'multi@example.com'));
    expect(refusalCode(state, approve('legal', 'multi@example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
    expect(refusalCode(state, approve('legal', 'Multi@Example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
    expect(refusalCode(state, reject('legal', 'multi@example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
  });

  it('should count a change request as deciding for the party', () => {
    const state = decide(start('departure_abroad'), requestChanges('hr', 'multi@example.com'));
    const amended = restartCurrentStage(state);
    expect(refusalCode(amended, approve('legal', 'multi@example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
    expect(refusalCode(amended, approve('hr', 'multi@example.com'))).toBeNull();
  });

  it('should record a delegate with the absent approver, both in lower case', () => {
    const state = decide(
      start('departure_abroad'),
      approve('hr', 'Carol@example.com', { onBehalfOf: 'HR@example.com' }),
    );
    expect(findApproval(state, 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'carol@example.com',
      onBehalfOf: 'hr@example.com',
    });
    expect(findApproval(state, 'hr')!.approvedBy[0]).toMatchObject({
      by: 'carol@example.com',
      onBehalfOf: 'hr@example.com',
    });
    expect(state.deciders).toEqual({ 'carol@example.com': 'hr', 'hr@example.com': 'hr' });
  });

  it('should let neither the delegate nor the absent approver decide for a second party, in any role', () => {
    const state = decide(
      start('departure_abroad'),
      approve('hr', 'carol@example.com', { onBehalfOf: 'hr@example.com' }),
    );
    const attempts = [
      approve('legal', 'carol@example.com'),
      approve('legal', 'hr@example.com'),
      approve('legal', 'dave@example.com', { onBehalfOf: 'hr@example.com' }),
      approve('legal', 'dave@example.com', { onBehalfOf: 'carol@example.com' }),
      approve('legal', 'carol@example.com', { onBehalfOf: 'legal@example.com' }),
    ];
    expect(attempts.map((a) => refusalCode(state, a))).toEqual(attempts.map(() => 'DECIDED_FOR_ANOTHER_PARTY'));
    expect(refusalCode(state, approve('legal', 'legal@example.com'))).toBeNull();
  });

  it('should hold across stages', () => {
    const state = inSecondStage();
    expect(refusalCode(state, approve('legal', 'hr@example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
  });

  it('should name the person and the other party in the refusal', () => {
    const state = decide(start('departure_abroad'), approve('hr', 'multi@example.com'));
    expect(refusalFor(state, approve('legal', 'multi@example.com'))?.message).toContain(
      'multi@example.com already decided for hr',
    );
  });
});

describe('refusals', () => {
  it('should refuse a party the request does not ask', () => {
    expect(refusalCode(start('conference'), approve('legal', 'legal@example.com'))).toBe('PARTY_NOT_IN_REQUEST');
  });

  it('should refuse a party that has already decided', () => {
    const state = decide(start('departure_abroad'), approve('hr', 'hr@example.com'));
    const refusal = refusalFor(state, approve('hr', 'hr-lead@example.com'));
    expect(refusal?.code).toBe('PARTY_NOT_AWAITING');
    expect(refusal?.message).toContain('already approved by hr@example.com');
  });

  it.each([
    ['reject', 'a reason'],
    ['request_changes', 'a comment'],
  ] as const)('should need a comment to %s', (decision, needs) => {
    const state = start('conference');
    for (const comment of [undefined, null, '', '   ']) {
      const refusal = refusalFor(state, approve('hr', 'hr@example.com', { decision, comment }));
      expect(refusal?.code).toBe('COMMENT_REQUIRED');
      expect(refusal?.message).toContain(needs);
    }
  });

  it('should accept an approval without a comment', () => {
    expect(refusalCode(start('conference'), approve('hr', 'hr@example.com'))).toBeNull();
  });

  it('should throw the refusal from applyDecision and leave the state as it was', () => {
    const state = start('conference');
    const copy = structuredClone(state);
    expect(thrownCode(() => applyDecision(state, approve('hr', REQUESTER)))).toBe('REQUESTER_CANNOT_DECIDE');
    expect(state).toEqual(copy);
  });
});

describe('rejection', () => {
  it('should end the request on one rejection and cancel the later stages', () => {
    const state = decide(
      start('ma_participation'),
      reject('legal', 'legal@example.com', ' counterparty on a watch list '),
    );
    expect(state.status).toBe('rejected');
    expect(stageStatuses(state)).toEqual(['rejected', 'cancelled']);
    expect(findApproval(state, 'legal')).toMatchObject({
      status: 'rejected',
      decidedBy: 'legal@example.com',
      comment: 'counterparty on a watch list',
      conditions: [],
    });
  });

  it('should reject while another party of the stage is still pending, and refuse it afterwards', () => {
    const state = decide(start('overseas_assignment'), reject('hr', 'hr@example.com'));
    expect(state.status).toBe('rejected');
    expect(stageStatuses(state)).toEqual(['rejected', 'cancelled']);
    expect(refusalCode(state, approve('security', 'sec@example.com'))).toBe('REQUEST_NOT_PENDING');
  });

  it('should reject in a later stage and keep the earlier stage approved', () => {
    const state = decide(inSecondStage(), reject('legal', 'legal@example.com'));
    expect(stageStatuses(state)).toEqual(['approved', 'rejected']);
  });
});

describe('request_changes and amendment', () => {
  /** passport_release/core: hr approved, then security asked for changes. */
  const changesRequested = () =>
    decide(
      start('passport_release', 'core'),
      approve('hr', 'hr@example.com'),
      requestChanges('security', 'sec@example.com'),
    );

  it('should send the request back as changes_requested with the comment', () => {
    const state = changesRequested();
    expect(state.status).toBe('changes_requested');
    expect(state.currentStage).toBe(1);
    expect(stageStatuses(state)).toEqual(['active']);
    expect(findApproval(state, 'security')).toMatchObject({
      status: 'changes_requested',
      decidedBy: 'sec@example.com',
      comment: 'name the trip',
    });
  });

  it('should refuse every decision while changes are requested', () => {
    const state = decide(start('departure_abroad'), requestChanges('security', 'sec@example.com'));
    expect(refusalCode(state, approve('hr', 'hr@example.com'))).toBe('REQUEST_NOT_PENDING');
  });

  it('should not be isFinal while changes are requested', () => {
    expect(isFinal(changesRequested().status)).toBe(false);
  });

  it('should restart the current stage on amendment: every party of it decides again, in a new round', () => {
    const state = restartCurrentStage(changesRequested());
    expect(state).toMatchObject({ status: 'pending', round: 2, currentStage: 1 });
    expect(stageStatuses(state)).toEqual(['active']);
    expect(state.stages[0].approvals.map((a) => [a.party, a.status, a.decidedBy, a.comment, a.approvedBy])).toEqual([
      ['hr', 'pending', null, null, []],
      ['security', 'pending', null, null, []],
    ]);
    expect(decide(state, approve('hr', 'hr@example.com'), approve('security', 'sec@example.com')).status).toBe(
      'approved',
    );
  });

  it('should restart only the current stage and keep earlier approved stages', () => {
    const state = restartCurrentStage(
      decide(
        start('ma_participation'),
        approve('legal', 'legal@example.com'),
        approve('hr', 'hr@example.com'),
        requestChanges('security', 'sec@example.com'),
      ),
    );
    expect(state.currentStage).toBe(2);
    expect(stageStatuses(state)).toEqual(['approved', 'active']);
    expect(statusesOf(state)).toEqual([
      [['legal', 'approved']],
      [
        ['hr', 'pending'],
        ['security', 'pending'],
        ['data_governance', 'pending'],
      ],
    ]);
  });

  it('should clear the partial votes towards a quorum', () => {
    const state = decide(
      start('departure_abroad', 'standard', policyWithQuorum({ hr: 2 })),
      approve('hr', 'hr@example.com'),
      requestChanges('legal', 'legal@example.com'),
    );
    expect(findApproval(restartCurrentStage(state), 'hr')!.approvedBy).toEqual([]);
  });

  it.each(['pending', 'approved', 'rejected'] as const)('should refuse to amend a request that is %s', (status) => {
    const state = { ...start('conference'), status };
    expect(thrownCode(() => restartCurrentStage(state))).toBe('REQUEST_NOT_PENDING');
  });
});

describe('withdraw', () => {
  it('should withdraw a pending request and cancel its stages', () => {
    const state = withdraw(start('overseas_assignment'));
    expect(state.status).toBe('withdrawn');
    expect(stageStatuses(state)).toEqual(['cancelled', 'cancelled']);
    expect(isFinal(state.status)).toBe(true);
  });

  it('should keep the stages already approved', () => {
    expect(stageStatuses(withdraw(inSecondStage()))).toEqual(['approved', 'cancelled']);
  });

  it('should withdraw a request waiting for changes', () => {
    const state = decide(start('conference'), requestChanges('hr', 'hr@example.com'));
    expect(withdraw(state).status).toBe('withdrawn');
  });

  it('should withdraw a request whose parties approved while it waits for an external authorization', () => {
    expect(withdraw({ ...start('conference'), status: 'awaiting_authorization' }).status).toBe('withdrawn');
    expect(withdrawRefusal({ ...start('conference'), status: 'awaiting_authorization' }, REQUESTER)).toBeNull();
  });

  it.each(['approved', 'rejected', 'withdrawn', 'expired', 'closed'] as const)(
    'should refuse to withdraw a request that is %s',
    (status) => {
      expect(thrownCode(() => withdraw({ ...start('conference'), status }))).toBe('REQUEST_NOT_PENDING');
    },
  );
});

describe('expire', () => {
  it('should expire a pending request and cancel the stages not yet approved', () => {
    const state = expire(inSecondStage());
    expect(state.status).toBe('expired');
    expect(stageStatuses(state)).toEqual(['approved', 'cancelled']);
    expect(refusalCode(state, approve('legal', 'legal@example.com'))).toBe('REQUEST_NOT_PENDING');
  });

  it('should leave a request that is already final as it is', () => {
    const rejected = decide(start('conference'), reject('hr', 'hr@example.com'));
    expect(expire(rejected)).toBe(rejected);
  });
});

describe('isFinal', () => {
  it('should call every status final except pending and changes_requested (the parties have decided)', () => {
    expect(REQUEST_STATUSES.filter(isFinal)).toEqual([
      'awaiting_authorization',
      'approved',
      'rejected',
      'withdrawn',
      'expired',
      'closed',
    ]);
  });
});

describe('obligations of an approved request', () => {
  const obligation = (kind: string): Obligation => ({
    kind,
    label: kind,
    dueAt: '2027-03-01T00:00:00.000Z',
    status: 'open',
    fulfilledBy: null,
    fulfilledAt: null,
  });
  const approvedWith = (...kinds: string[]) =>
    withObligations(decide(start('conference'), approve('hr', 'hr@example.com')), kinds.map(obligation));

  it('should set the obligations and count the change', () => {
    const approved = decide(start('conference'), approve('hr', 'hr@example.com'));
    const state = withObligations(approved, [obligation('debrief')]);
    expect(state.obligations.map((o) => o.kind)).toEqual(['debrief']);
    expect(state.seq).toBe(approved.seq + 1);
    expect(state.status).toBe('approved');
  });

  it('should record who fulfilled an obligation and when, and stay approved while others are open', () => {
    const state = fulfil(approvedWith('training', 'debrief'), 'training', 'Alice@Example.com', AT);
    expect(state.status).toBe('approved');
    expect(state.obligations).toEqual([
      { ...obligation('training'), status: 'fulfilled', fulfilledBy: REQUESTER, fulfilledAt: AT },
      obligation('debrief'),
    ]);
  });

  it('should close the request when every obligation is met', () => {
    const state = fulfil(
      fulfil(approvedWith('training', 'debrief'), 'debrief', REQUESTER, AT),
      'training',
      REQUESTER,
      AT,
    );
    expect(state.status).toBe('closed');
    expect(isFinal(state.status)).toBe(true);
  });

  it('should mark only the open obligation of that kind overdue', () => {
    const state = markOverdue(approvedWith('training', 'debrief'), 'training');
    expect(state.obligations.map((o) => [o.kind, o.status])).toEqual([
      ['training', 'overdue'],
      ['debrief', 'open'],
    ]);
  });

  it('should not mark a fulfilled obligation overdue', () => {
    const state = markOverdue(fulfil(approvedWith('training', 'debrief'), 'training', REQUESTER, AT), 'training');
    expect(state.obligations[0].status).toBe('fulfilled');
  });

  it('should fulfil an overdue obligation and close the request', () => {
    const state = fulfil(markOverdue(approvedWith('training'), 'training'), 'training', REQUESTER, AT);
    expect(state.obligations[0].status).toBe('fulfilled');
    expect(state.status).toBe('closed');
  });
});

describe('lapse', () => {
  /** overseas_assignment approved by all four parties, with an obligation. */
  const approved = () =>
    withObligations(
      decide(inSecondStage(), approve('legal', 'legal@example.com'), approve('data_governance', 'dg@example.com')),
      [
        {
          kind: 'debrief',
          label: 'Debrief',
          dueAt: null,
          status: 'open',
          fulfilledBy: null,
          fulfilledAt: null,
        },
      ],
    );

  it('should ask every stage again from the first, in a new round, without the obligations', () => {
    const before = approved();
    const state = lapse(before);
    expect(state).toMatchObject({ status: 'pending', round: 2, currentStage: 1, obligations: [] });
    expect(state.seq).toBeGreaterThan(before.seq);
    // as a fresh request of its type stands: first stage pending, later stages waiting
    expect(stageStatuses(state)).toEqual(['active', 'waiting']);
    expect(statusesOf(state)).toEqual(statusesOf(start('overseas_assignment')));
    expect(
      state.stages.flatMap((s) => s.approvals).every((a) => a.decidedBy === null && a.approvedBy.length === 0),
    ).toBe(true);
  });

  it('should let the same people approve again and keep four eyes across the rounds', () => {
    const state = lapse(approved());
    expect(refusalCode(state, approve('hr', 'hr@example.com'))).toBeNull();
    expect(refusalCode(state, approve('security', 'hr@example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
    const again = decide(
      state,
      approve('hr', 'hr@example.com'),
      approve('security', 'sec@example.com'),
      approve('legal', 'legal@example.com'),
      approve('data_governance', 'dg@example.com'),
    );
    expect(again.status).toBe('approved');
  });
});

describe('the round a decision was made on', () => {
  const amended = () =>
    restartCurrentStage(decide(start('passport_release', 'core'), requestChanges('security', 'sec@example.com')));

  it('should take a decision made on the current round', () => {
    expect(roundRefusal(start('conference'), 1)).toBeNull();
    expect(roundRefusal(amended(), 2)).toBeNull();
  });

  it('should refuse a decision made on a round an amendment has since closed, telling the decider to reload', () => {
    const refusal = roundRefusal(amended(), 1);
    expect(refusal).toBeInstanceOf(DecisionRefused);
    expect(refusal).toMatchObject({ code: 'ROUND_CHANGED', message: expect.stringMatching(/amended since.*reload/) });
  });

  it('should not check a decision recorded before decisions carried their round', () => {
    expect(roundRefusal(amended(), undefined)).toBeNull();
  });
});
