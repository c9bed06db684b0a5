import {
  changedFields,
  describeChange,
  describeChangeInWords,
  describeRouteChange,
  describeRouteChangeInWords,
  routeChangeLineInWords,
  earlierDecisions,
  replan,
  restartAfterAmendment,
  routeChange,
  sinceInWords,
  sinceLastDecided,
} from './amendment';
import { applyDecision, initialState, refusalFor, type DecisionInput, type RequestState } from './approval-state';
import { DEFAULT_POLICY, planRoute, type RoutePlan } from './policy';
import type { RequestInput } from './request';
import type { ScreeningHit } from './screening';
import type { Party } from './vocabulary';
import { minimalRequest } from '../../tests/support/domain-factories';

/** Amendments as pure facts: what changed, whether the route changed, and review restarted without old approvals. */

const AT = '2027-01-10T09:00:00.000Z';

const plain = minimalRequest('conference', {
  purpose: 'Attend',
  counterparties: [{ name: 'Example Org', country: 'US' }],
  details: { eventName: 'E', presenting: true },
});

const hit: ScreeningHit = {
  counterparty: 'Restricted Lab',
  counterpartyCountry: 'IR',
  entryId: 'e1',
  entryName: 'RESTRICTED LAB',
  matchedName: 'RESTRICTED LAB',
  source: 'Test',
  score: 97,
};

const plan = (request: RequestInput, screeningHits: ScreeningHit[] = []): RoutePlan =>
  planRoute({ request, tier: 'standard', screeningHits }, DEFAULT_POLICY);

const decide = (state: RequestState, party: Party, by: string, extra: Partial<DecisionInput> = {}) =>
  applyDecision(state, { party, decision: 'approve', actorEmail: by, decidedAt: AT, ...extra });

/** hr approved with a condition, data governance asked for changes. */
function sentBack(): RequestState {
  const state = initialState('r1', 'carol@example.com', plan(plain));
  const approved = decide(state, 'hr', 'hr@example.com', { conditions: ['clean laptop only'] });
  return decide(approved, 'data_governance', 'datagov@example.com', {
    decision: 'request_changes',
    comment: 'list the slides',
  });
}

describe('changedFields', () => {
  it('should list each changed field with its value before and after, details field by field', () => {
    const after: RequestInput = {
      ...plain,
      destinationCountry: 'IR',
      technologyAreas: ['ai_chips'],
      details: { eventName: 'E', presenting: false },
    };
    expect(changedFields(plain, after)).toEqual([
      { field: 'destinationCountry', before: 'US', after: 'IR' },
      { field: 'technologyAreas', before: ['none'], after: ['ai_chips'] },
      { field: 'details.presenting', before: true, after: false },
    ]);
  });

  it('should find nothing changed when only the order of keys differs', () => {
    const reordered = { ...plain, counterparties: [{ country: 'US', name: 'Example Org' }] };
    expect(changedFields(plain, reordered)).toEqual([]);
  });

  it('should say a departure that drops its return date became a permanent move', () => {
    const trip = minimalRequest('departure_abroad');
    const move = minimalRequest('departure_abroad', { returnDate: undefined });
    const [change] = changedFields(trip, move);
    expect(change).toEqual({ field: 'returnDate', before: '2027-03-07', after: null });
    expect(describeChangeInWords(change)).toBe('return 2027-03-07 → No return (permanent move)');
  });

  it('should describe a change in the words people read', () => {
    expect(describeChange({ field: 'destinationCountry', before: 'US', after: 'IR' })).toBe('destination US → IR');
    expect(describeChange({ field: 'purpose', before: 'A', after: 'B' })).toBe('purpose "A" → "B"');
    expect(
      describeChange({
        field: 'counterparties',
        before: [{ name: 'Example Org', country: 'US' }],
        after: [],
      }),
    ).toBe('counterparties Example Org (US) → (none)');
  });
});

describe('routeChange', () => {
  it('should be null when the parties, stages and quorum stay and no new hit appears', () => {
    expect(routeChange(plan(plain), plan({ ...plain, purpose: 'Other' }), 2)).toBeNull();
  });

  it('should name the added parties and why they are asked', () => {
    const change = routeChange(plan(plain), plan({ ...plain, destinationCountry: 'IR' }), 2)!;
    expect(change).toMatchObject({ round: 2, added: ['security'], removed: [], moved: [], newScreeningHits: 0 });
    expect(describeRouteChange(change)).toBe(
      'Route changed after amendment: security added because destination IR is rated high risk',
    );
  });

  it('should count a new screening hit as a change even when the parties stay', () => {
    const withHit = plan({ ...plain, destinationCountry: 'IR' }, [hit]);
    const change = routeChange(plan({ ...plain, destinationCountry: 'IR' }), withHit, 2)!;
    expect(change.newScreeningHits).toBe(1);
    expect(change.added).toEqual(['legal']);
    expect(routeChange(withHit, withHit, 3)).toBeNull();
  });

  it('should name the parties no longer asked', () => {
    const change = routeChange(plan({ ...plain, destinationCountry: 'IR' }), plan(plain), 2)!;
    expect(change.removed).toEqual(['security']);
    expect(describeRouteChange(change)).toBe('Route changed after amendment: security no longer asked');
  });

  it('should word the route change for people: parties by label, countries by name, several parties with their reasons', () => {
    const added = routeChange(plan(plain), plan({ ...plain, destinationCountry: 'IR' }), 2)!;
    expect(describeRouteChangeInWords(added)).toBe(
      'Route changed after amendment: Security added because destination Iran is rated high risk',
    );
    const removed = routeChange(plan({ ...plain, destinationCountry: 'IR' }), plan(plain), 2)!;
    expect(describeRouteChangeInWords(removed)).toBe('Route changed after amendment: Security no longer asked');
    const two = describeRouteChangeInWords({
      round: 2,
      added: ['security', 'data_governance'],
      removed: [],
      moved: [],
      newScreeningHits: 0,
      reasons: [
        'security: destination IR is rated high risk',
        'data_governance: data leaves the company: model_weights',
      ],
    });
    expect(two).toBe(
      'Route changed after amendment: Security and Data governance added because Security: destination Iran is rated high risk; Data governance: data leaves the company: model weights',
    );
    expect(two).not.toMatch(/\bIR\b|model_weights|data_governance/);
  });
});

describe('routeChangeLineInWords', () => {
  it('should word a route change as the workflow recorded it, as the timeline words it', () => {
    const change = routeChange(plan(plain), plan({ ...plain, destinationCountry: 'IR' }), 2)!;
    expect(routeChangeLineInWords(describeRouteChange(change))).toBe(describeRouteChangeInWords(change));
    const removed = routeChange(plan({ ...plain, destinationCountry: 'IR' }), plan(plain), 2)!;
    expect(routeChangeLineInWords(describeRouteChange(removed))).toBe(
      'Route changed after amendment: Security no longer asked',
    );
    expect(
      routeChangeLineInWords(
        'Route changed after amendment: security and data_governance added because security: destination IR is rated high risk; data_governance: data leaves the company: model_weights; legal now in another stage',
      ),
    ).toBe(
      'Route changed after amendment: Security and Data governance added because Security: destination Iran is rated high risk; Data governance: data leaves the company: model weights; Legal now in another stage',
    );
    expect(routeChangeLineInWords('Something else')).toBe('Something else');
  });
});

describe('replan', () => {
  it('should restart at stage 1 of the new route with the old approvals superseded and never counted', () => {
    const before = sentBack();
    const next = plan({ ...plain, destinationCountry: 'IR' });
    const state = replan(before, next, routeChange(plan(plain), next, 2)!);
    expect(state).toMatchObject({ status: 'pending', round: 2, currentStage: 1, seq: before.seq + 1 });
    expect(state.stages.flatMap((s) => s.approvals.map((a) => [a.party, a.status])).sort()).toEqual([
      ['data_governance', 'pending'],
      ['hr', 'pending'],
      ['security', 'pending'],
    ]);
    expect(state.superseded).toEqual([
      expect.objectContaining({
        party: 'hr',
        status: 'superseded',
        round: 1,
        decidedBy: 'hr@example.com',
        conditions: ['clean laptop only'],
      }),
    ]);
    expect(state.routeChanges).toEqual([expect.objectContaining({ added: ['security'] })]);
    // hr decides again: its superseded approval neither counts nor blocks.
    expect(refusalFor(state, { party: 'hr', actorEmail: 'hr@example.com', decision: 'approve' })).toBeNull();
    const afterHr = decide(state, 'hr', 'hr@example.com');
    expect(afterHr.status).toBe('pending');
  });

  it('should keep the approvals of the current stage as superseded when the route stays', () => {
    const state = restartAfterAmendment(sentBack());
    expect(state).toMatchObject({ status: 'pending', round: 2 });
    expect(state.stages[0].approvals.every((a) => a.status === 'pending')).toBe(true);
    expect(state.superseded?.map((a) => [a.party, a.status, a.round])).toEqual([['hr', 'superseded', 1]]);
  });
});

describe('earlierDecisions', () => {
  it('should give each party what it said, and nothing for parties that said nothing', () => {
    const before = sentBack();
    expect(earlierDecisions(before)).toEqual({
      hr: { status: 'approved', comment: null, conditions: ['clean laptop only'] },
      data_governance: { status: 'changes_requested', comment: 'list the slides', conditions: [] },
    });
    expect(earlierDecisions(initialState('r1', 'carol@example.com', plan(plain)))).toEqual({});
  });
});

describe('sinceLastDecided', () => {
  const hr = (round: number, decision = 'approve') => ({
    party: 'hr',
    decision,
    decidedBy: 'hr@example.com',
    comment: decision === 'approve' ? null : 'name the sessions',
    conditions: decision === 'approve' ? ['clean laptop only'] : [],
    round,
    decidedAt: `2027-01-0${round}T10:00:00.000Z`,
  });
  const amendments = [
    { round: 2, changes: [{ field: 'destinationCountry', before: 'US', after: 'JP' }] },
    {
      round: 3,
      changes: [
        { field: 'destinationCountry', before: 'JP', after: 'DE' },
        { field: 'purpose', before: 'Talk', after: 'Talk and workshop' },
      ],
    },
    { round: 4, changes: [{ field: 'purpose', before: 'Talk and workshop', after: 'Talk' }] },
  ];

  it('should compose every amendment since the party last decided, from what it decided on to now', () => {
    const since = sinceLastDecided('hr', 3, [hr(1)], amendments);
    expect(since).toMatchObject({ decision: 'approve', round: 1, conditions: ['clean laptop only'] });
    expect(since!.changes).toEqual([
      { field: 'destinationCountry', before: 'US', after: 'DE' },
      { field: 'purpose', before: 'Talk', after: 'Talk and workshop' },
    ]);
  });

  it('should count only the amendments after its own last decision, and drop a field changed back', () => {
    expect(sinceLastDecided('hr', 4, [hr(1), hr(2, 'request_changes')], amendments)!.changes).toEqual([
      { field: 'destinationCountry', before: 'JP', after: 'DE' },
    ]);
  });

  it('should give nothing to a party that has not decided before this round, or has decided in it', () => {
    expect(sinceLastDecided('legal', 3, [hr(1)], amendments)).toBeNull();
    expect(sinceLastDecided('hr', 2, [hr(2)], amendments)).toBeNull();
  });

  it('should word the changes with labels and countries by name, never codes', () => {
    const [words] = sinceInWords([
      {
        ...sinceLastDecided(
          'hr',
          2,
          [hr(1)],
          [
            {
              round: 2,
              changes: [
                { field: 'destinationCountry', before: 'US', after: 'JP' },
                { field: 'technologyAreas', before: ['large_models'], after: ['general_software'] },
                { field: 'details.presenting', before: true, after: false },
              ],
            },
          ],
        )!,
      },
    ]);
    expect(words.decided).toBe('HR approved in round 1 (hr@example.com, 2027-01-01)');
    expect(words.conditions).toEqual(['clean laptop only']);
    expect(words.changes.join('; ')).not.toMatch(/_|\bUS\b|\bJP\b|true|false/);
    expect(words.changes[0]).toBe('destination United States → Japan');
  });
});
