import {
  amendRefusal,
  applyDecision,
  fulfilRefusal,
  initialState,
  ownDecisionRefusal,
  requesterRefusal,
  withdrawRefusal,
  withObligations,
  type RequestState,
} from './approval-state';
import type { Obligation } from './obligations';
import type { RoutePlan } from './policy';
import { isRefusalCode, REFUSAL_CODES } from './refusals';

const REQUESTER = 'alice@example.com';
const OTHER = 'bob@example.com';
const PLAN = { stages: [{ index: 1, parties: [{ party: 'hr', reasons: ['always'], quorum: 1 }] }] } as RoutePlan;

function pending(): RequestState {
  return initialState('r-1', REQUESTER, PLAN);
}

function decided(decision: 'approve' | 'reject' | 'request_changes'): RequestState {
  return applyDecision(pending(), {
    party: 'hr',
    decision,
    actorEmail: 'hr@example.com',
    comment: decision === 'approve' ? null : 'because',
    decidedAt: '2027-01-01T00:00:00.000Z',
  });
}

function obligation(kind: string, patch: Partial<Obligation> = {}): Obligation {
  return { kind, label: kind, dueAt: null, status: 'open', fulfilledBy: null, fulfilledAt: null, ...patch };
}

describe('the requester-only rules', () => {
  it('should let the requester act whatever the case of their address', () => {
    expect(requesterRefusal('amend', REQUESTER, 'Alice@Example.COM')).toBeNull();
  });

  it('should refuse anyone else with the message of the action', () => {
    expect(requesterRefusal('amend', REQUESTER, OTHER)).toEqual({
      code: 'NOT_REQUESTER',
      message: 'only the requester may amend a request',
    });
    expect(requesterRefusal('withdraw', REQUESTER, OTHER)?.message).toBe('only the requester may withdraw a request');
    expect(requesterRefusal('fulfil', REQUESTER, OTHER)?.message).toBe('only the requester records their obligations');
  });

  it('should refuse the requester a decision on their own request, as actor or as the absent member', () => {
    expect(ownDecisionRefusal(REQUESTER, [OTHER, 'ALICE@example.com'])).toMatchObject({
      code: 'REQUESTER_CANNOT_DECIDE',
      message: 'the requester never decides their own request',
    });
    expect(ownDecisionRefusal(REQUESTER, [OTHER])).toBeNull();
  });
});

describe('amendRefusal', () => {
  it('should allow the requester to amend once changes were requested', () => {
    expect(amendRefusal(decided('request_changes'), REQUESTER)).toBeNull();
  });

  it('should refuse an amendment by anyone but the requester before looking at the status', () => {
    expect(amendRefusal(pending(), OTHER)).toEqual({
      code: 'NOT_REQUESTER',
      message: 'only the requester may amend a request',
    });
  });

  it('should refuse an amendment of a request nobody asked to change', () => {
    expect(amendRefusal(pending(), REQUESTER)).toEqual({
      code: 'REQUEST_NOT_AMENDABLE',
      message: 'only a request in changes_requested can be amended (it is pending)',
    });
  });
});

describe('withdrawRefusal', () => {
  it('should allow the requester to withdraw while the request is undecided', () => {
    expect(withdrawRefusal(pending(), REQUESTER)).toBeNull();
    expect(withdrawRefusal(decided('request_changes'), REQUESTER)).toBeNull();
  });

  it('should refuse a withdrawal by anyone but the requester', () => {
    expect(withdrawRefusal(pending(), OTHER)).toEqual({
      code: 'NOT_REQUESTER',
      message: 'only the requester may withdraw a request',
    });
  });

  it('should refuse a withdrawal of a decided request', () => {
    expect(withdrawRefusal(decided('reject'), REQUESTER)).toEqual({
      code: 'REQUEST_NOT_PENDING',
      message: 'only an undecided request can be withdrawn (it is rejected)',
    });
  });
});

describe('fulfilRefusal', () => {
  const approved = () =>
    withObligations(decided('approve'), [
      obligation('training'),
      obligation('debrief', { status: 'fulfilled', fulfilledBy: REQUESTER }),
      obligation('passport_return'),
    ]);

  it('should allow the requester to record an open obligation of an approved request', () => {
    expect(fulfilRefusal(approved(), 'training', REQUESTER)).toBeNull();
  });

  it('should refuse an obligation on a request that is not approved, or one it does not have', () => {
    expect(fulfilRefusal(pending(), 'training', REQUESTER)).toEqual({
      code: 'OBLIGATION_NOT_OPEN',
      message: 'the request has no open obligation "training"',
    });
    expect(fulfilRefusal(approved(), 'condition-1', REQUESTER)?.message).toBe(
      'the request has no open obligation "condition-1"',
    );
  });

  it('should refuse an obligation already recorded, naming who recorded it', () => {
    expect(fulfilRefusal(approved(), 'debrief', REQUESTER)).toEqual({
      code: 'OBLIGATION_NOT_OPEN',
      message: `"debrief" was already recorded by ${REQUESTER}`,
    });
  });

  it('should leave the passport to the custodian', () => {
    expect(fulfilRefusal(approved(), 'passport_return', REQUESTER)).toEqual({
      code: 'OBLIGATION_NOT_OPEN',
      message: 'the passport is recorded back by the custodian, not here',
    });
  });

  it('should refuse a debrief before the return day, and take it from the return day on', () => {
    const open = withObligations(decided('approve'), [obligation('debrief'), obligation('training')]);
    const trip = { trip: { type: 'conference' as const, departureDate: '2027-03-01', returnDate: '2027-03-07' } };
    expect(fulfilRefusal(open, 'debrief', REQUESTER, { ...trip, at: '2027-03-06T23:59:59.000Z' })).toEqual({
      code: 'OBLIGATION_NOT_OPEN',
      message: '"Debrief after return" can be recorded only after the trip: on or after the return date 2027-03-07',
    });
    expect(fulfilRefusal(open, 'debrief', REQUESTER, { ...trip, at: '2027-03-07T00:00:00.000Z' })).toBeNull();
    // training is done before the trip
    expect(fulfilRefusal(open, 'training', REQUESTER, { ...trip, at: '2027-01-01T00:00:00.000Z' })).toBeNull();
  });

  it("should count a permanent move's debrief from the departure date, its trip end", () => {
    const open = withObligations(decided('approve'), [obligation('debrief')]);
    const trip = { trip: { type: 'departure_abroad' as const, departureDate: '2027-04-01' } };
    expect(fulfilRefusal(open, 'debrief', REQUESTER, { ...trip, at: '2027-03-31T23:59:59.000Z' })).toEqual({
      code: 'OBLIGATION_NOT_OPEN',
      message:
        '"Debrief after return" can be recorded only after the trip: on or after the departure date 2027-04-01 (a permanent move has no return)',
    });
    expect(fulfilRefusal(open, 'debrief', REQUESTER, { ...trip, at: '2027-04-01T00:00:00.000Z' })).toBeNull();
  });

  it('should refuse anyone but the requester once the obligation is open', () => {
    expect(fulfilRefusal(approved(), 'training', OTHER)).toEqual({
      code: 'NOT_REQUESTER',
      message: 'only the requester records their obligations',
    });
  });
});

describe('the refusal vocabulary', () => {
  it('should know its own codes and nothing else', () => {
    for (const code of REFUSAL_CODES) expect(isRefusalCode(code)).toBe(true);
    expect(isRefusalCode('NOT_A_CODE')).toBe(false);
    expect(isRefusalCode('toString')).toBe(false);
    expect(isRefusalCode(undefined)).toBe(false);
  });
});
