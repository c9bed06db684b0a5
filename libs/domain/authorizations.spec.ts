import { applyDecision, initialState, type RequestState } from './approval-state';
import {
  authorizationRefusal,
  blockedMessage,
  determine,
  determinedConditions,
  expireAuthorization,
  expiresAt,
  isSatisfied,
  nextExpiry,
  recordAuthorization,
  redetermine,
  type AuthorizationRecord,
} from './authorizations';
import { obligationsFor } from './obligations';
import { DEFAULT_POLICY, DEFAULT_POLICY_DOCUMENT, parsePolicyDocument, planRoute, type RoutingPolicy } from './policy';
import type { RequestInput } from './request';
import type { RequestType, Tier } from './vocabulary';
import { minimalRequest } from '../../tests/support/domain-factories';

const kinds = (r: ReturnType<typeof determine>) => r.authorizations.map((a) => a.kind);
const rules = (r: ReturnType<typeof determine>) => r.determinations.map((d) => `${d.rule}:${d.outcome}`);

function of(type: RequestType, tier: Tier, overrides: Partial<RequestInput> = {}, flags = {}) {
  return determine(
    {
      request: minimalRequest(type, overrides),
      tier,
      flags: { classifiedAccess: false, confidentialityPeriodEnds: null, ...flags },
    },
    DEFAULT_POLICY,
  );
}

describe('determine (default policy)', () => {
  it('should require the official exit approval of core and strategic staff only, blocking approval', () => {
    expect(kinds(of('conference', 'standard'))).toEqual([]);
    expect(kinds(of('conference', 'sensitive'))).toEqual([]);
    for (const tier of ['core', 'strategic'] as const) {
      const [exit] = of('conference', tier).authorizations;
      expect(exit).toMatchObject({ kind: 'official_exit_approval', status: 'required', blocks: 'approval' });
      expect(exit.reasons[0]).toContain('government approval');
      expect(exit.neededThrough).toBe('2027-03-07');
    }
  });

  it('should need an authorization of a permanent move only through its departure date (its trip end)', () => {
    const [exit] = of('departure_abroad', 'core', {
      departureDate: '2027-04-01',
      returnDate: undefined,
    }).authorizations;
    expect(exit).toMatchObject({ kind: 'official_exit_approval', neededThrough: '2027-04-01' });
    expect(isSatisfied({ ...exit, status: 'granted', validUntil: '2027-04-01' })).toBe(true);
    expect(isSatisfied({ ...exit, status: 'granted', validUntil: '2027-03-31' })).toBe(false);
    // a departure that does name a return keeps it
    expect(of('departure_abroad', 'core').authorizations[0].neededThrough).toBe('2027-03-07');
  });

  it('should hold a passport release at the passport, not at its approval', () => {
    expect(of('passport_release', 'strategic').authorizations[0]).toMatchObject({
      kind: 'official_exit_approval',
      blocks: 'passport_release',
    });
  });

  it('should require a technology-export licence for deals, postings and departures with controlled technology', () => {
    for (const type of ['ma_participation', 'overseas_assignment', 'departure_abroad'] as const) {
      expect(kinds(of(type, 'standard', { technologyAreas: ['ai_chips'] }))).toEqual(['technology_export_licence']);
      expect(kinds(of(type, 'standard', { technologyAreas: ['robotics'] }))).toEqual([]);
    }
    expect(kinds(of('conference', 'standard', { technologyAreas: ['ai_chips'] }))).toEqual([]);
    const licence = of('ma_participation', 'sensitive', { technologyAreas: ['eda'] }).authorizations[0];
    expect(licence.reasons.join(' ')).toContain('controlled technology');
  });

  it('should require the confidentiality unit for classified access and inside the confidentiality period', () => {
    expect(kinds(of('conference', 'standard', {}, { classifiedAccess: true }))).toEqual([
      'confidentiality_unit_approval',
    ]);
    expect(kinds(of('departure_abroad', 'standard', {}, { confidentialityPeriodEnds: '2027-12-31' }))).toEqual([
      'confidentiality_unit_approval',
    ]);
    expect(kinds(of('departure_abroad', 'standard', {}, { confidentialityPeriodEnds: '2026-12-31' }))).toEqual([]);
  });

  it('should require a data-export assessment when personal or training data leaves, blocking departure', () => {
    const r = of('conference', 'standard', { dataCategories: ['training_data'] });
    expect(r.authorizations).toMatchObject([{ kind: 'data_export_assessment', blocks: 'departure' }]);
    expect(kinds(of('conference', 'standard', { dataCategories: ['source_code'] }))).toEqual([]);
  });

  it('should block KP with a reason and whom to contact', () => {
    const r = of('conference', 'standard', { destinationCountry: 'KP' });
    expect(r.blocked.map((d) => d.rule)).toEqual(['embargoed_destination']);
    expect(blockedMessage(r.blocked)).toMatch(/North Korea.*Contact: Legal/);
    expect(of('conference', 'standard', { destinationCountry: 'IR' }).blocked).toEqual([]);
  });

  it('should give a loaner-device condition for high-risk destinations and published material only to presenters with no data', () => {
    expect(rules(of('conference', 'standard', { destinationCountry: 'IR' }))).toEqual([
      'loaner_device_high_risk:condition',
    ]);
    const presenting = { details: { eventName: 'E', presenting: true } };
    const published = of('conference', 'standard', { ...presenting, dataCategories: ['presentation_materials'] });
    expect(rules(published)).toEqual(['published_material_only:condition']);
    expect(determinedConditions(published.determinations)[0]).toContain('Published material only');
    expect(rules(of('conference', 'standard', { ...presenting, dataCategories: ['source_code'] }))).toEqual([]);
  });

  it('should tell a company device declared for a high-risk destination to stay at home, by asset tag', () => {
    const manifest = {
      devices: [
        { kind: 'company_laptop' as const, assetTag: 'LT-1234' },
        { kind: 'company_phone' as const, assetTag: 'PH-7' },
        { kind: 'loaner_phone' as const },
      ],
      materials: [],
    };
    const flagged = of('conference', 'standard', { destinationCountry: 'IR', manifest }).determinations.find(
      (d) => d.rule === 'company_device_high_risk',
    );
    expect(flagged).toMatchObject({
      outcome: 'condition',
      condition: 'Take a loaner instead of company laptop LT-1234 and company phone PH-7',
    });
    const loaners = { devices: [{ kind: 'loaner_laptop' as const }], materials: [] };
    expect(rules(of('conference', 'standard', { destinationCountry: 'IR', manifest: loaners }))).not.toContain(
      'company_device_high_risk:condition',
    );
    expect(rules(of('conference', 'standard', { manifest }))).not.toContain('company_device_high_risk:condition');
  });

  it('should add the authorization a licence_required determination names, and warn about lead time', () => {
    const policy: RoutingPolicy = structuredClone(DEFAULT_POLICY);
    policy.determinations!.push({
      rule: 'us_chips',
      when: { allOf: [{ destinationIn: ['US'] }, { technologyAreasAny: ['ai_chips'] }] },
      outcome: 'licence_required',
      reason: 'AI chip technology to the US needs a licence',
      authorization: 'technology_export_licence',
    });
    const r = determine(
      { request: minimalRequest('conference', { technologyAreas: ['ai_chips'] }), tier: 'standard' },
      policy,
      '2027-02-20',
    );
    expect(kinds(r)).toEqual(['technology_export_licence']);
    expect(r.authorizations[0].reasons).toEqual(['AI chip technology to the US needs a licence']);
    expect(r.warnings[0]).toContain('45 days');
  });

  it('should require nothing under policies from before authorizations existed', () => {
    const { authorizations: _a, determinations: _d, ...older } = DEFAULT_POLICY;
    const r = determine({ request: minimalRequest('conference', { destinationCountry: 'KP' }), tier: 'core' }, older);
    expect(r).toEqual({ authorizations: [], determinations: [], blocked: [], warnings: [] });
  });
});

describe('authorizations in the request state', () => {
  const REQUESTER = 'alice@example.com';
  const AT = '2027-01-10T09:00:00.000Z';

  /** Alice's (core) conference with every party approved: hr and security. */
  function approvedByParties(policy: RoutingPolicy = DEFAULT_POLICY): RequestState {
    const request = minimalRequest('conference');
    const plan = planRoute({ request, tier: 'core' }, policy);
    const { authorizations } = determine({ request, tier: 'core' }, policy);
    let state: RequestState = { ...initialState('r1', REQUESTER, plan), authorizations, determinations: [] };
    state = applyDecision(state, { party: 'hr', decision: 'approve', actorEmail: 'hr@example.com', decidedAt: AT });
    return applyDecision(state, {
      party: 'security',
      decision: 'approve',
      actorEmail: 'security@example.com',
      decidedAt: AT,
    });
  }
  const record = (extra: Partial<AuthorizationRecord>): AuthorizationRecord => ({
    kind: 'official_exit_approval',
    actorEmail: REQUESTER,
    asAdmin: false,
    at: AT,
    ...extra,
  });

  it('should wait for a blocking authorization once every party approved, then approve when it is granted through the return', () => {
    const waiting = approvedByParties();
    expect(waiting.status).toBe('awaiting_authorization');
    const applied = recordAuthorization(waiting, record({ status: 'applied', reference: 'EX-1' }));
    expect(applied.status).toBe('awaiting_authorization');
    const tooShort = recordAuthorization(applied, record({ status: 'granted', validUntil: '2027-03-05' }));
    expect(tooShort.status).toBe('awaiting_authorization');
    const granted = recordAuthorization(tooShort, record({ status: 'granted', validUntil: '2027-03-07' }));
    expect(granted.status).toBe('approved');
    expect(granted.authorizations![0]).toMatchObject({ status: 'granted', reference: 'EX-1', recordedBy: REQUESTER });
  });

  it('should expire a grant that ends before the return at the end of its last day: a waiting request keeps waiting', () => {
    const short = recordAuthorization(approvedByParties(), record({ status: 'granted', validUntil: '2027-03-05' }));
    expect(expiresAt(short.authorizations![0])).toBe('2027-03-06T00:00:00.000Z');
    expect(nextExpiry(short)).toMatchObject({ kind: 'official_exit_approval', at: '2027-03-06T00:00:00.000Z' });
    const expired = expireAuthorization(short, 'official_exit_approval', '2027-03-06T00:00:00.000Z');
    expect(expired.status).toBe('awaiting_authorization');
    expect(expired.authorizations![0].status).toBe('expired');
    expect(expired.obligations).toEqual([]);
    expect(nextExpiry(expired)).toBeNull();
    // Valid through the return, or without an end: nothing to expire.
    const through = recordAuthorization(expired, record({ status: 'granted', validUntil: '2027-03-07' }));
    expect(through.status).toBe('approved');
    expect(nextExpiry(through)).toBeNull();
  });

  it('should make an approved request renew an expired grant: an overdue obligation met by the renewed grant', () => {
    const approved = recordAuthorization(approvedByParties(), record({ status: 'granted', validUntil: '2027-03-07' }));
    const shortened = recordAuthorization(approved, record({ status: 'granted', validUntil: '2027-02-01' }));
    expect(shortened.status).toBe('approved');
    const expired = expireAuthorization(shortened, 'official_exit_approval', '2027-02-02T00:00:00.000Z');
    expect(expired.obligations).toEqual([
      expect.objectContaining({
        kind: 'authorization-official_exit_approval',
        label: 'Renew Official exit approval',
        status: 'overdue',
        dueAt: '2027-02-02T00:00:00.000Z',
      }),
    ]);
    const renewed = recordAuthorization(expired, record({ status: 'granted', validUntil: '2027-03-07' }));
    expect(renewed.obligations[0]).toMatchObject({ status: 'fulfilled', fulfilledBy: REQUESTER });
    expect(renewed.status).toBe('closed');
  });

  it('should reject the request with the refusal and close the authorization', () => {
    const refused = recordAuthorization(approvedByParties(), record({ status: 'refused', reason: 'not now' }));
    expect(refused.status).toBe('rejected');
    expect(refused.authorizations![0]).toMatchObject({ status: 'refused', reason: 'not now' });
    expect(authorizationRefusal(refused, record({ status: 'granted' }))?.code).toBe('REQUEST_NOT_PENDING');
  });

  it('should approve as before when the pinned policy has no authorizations', () => {
    const { authorizations: _a, ...older } = DEFAULT_POLICY;
    const state = approvedByParties(older);
    expect(state.status).toBe('approved');
  });

  it('should refuse other people, kinds that do not apply and steps the state does not allow', () => {
    const waiting = approvedByParties();
    expect(authorizationRefusal(waiting, record({ status: 'granted' }))).toBeNull();
    expect(authorizationRefusal(waiting, record({ status: 'granted', asAdmin: true, actorEmail: 'a@x' }))).toBeNull();
    expect(authorizationRefusal(waiting, record({ status: 'granted', actorEmail: 'bob@x' }))?.code).toBe(
      'NOT_REQUESTER',
    );
    expect(authorizationRefusal(waiting, record({ kind: 'data_export_assessment', status: 'applied' }))?.code).toBe(
      'AUTHORIZATION_NOT_REQUIRED',
    );
    const granted = recordAuthorization(waiting, record({ status: 'granted' }));
    expect(authorizationRefusal(granted, record({ status: 'applied' }))?.code).toBe('AUTHORIZATION_NOT_OPEN');
    expect(authorizationRefusal(granted, record({ documentSha256: 'a'.repeat(64) }))).toBeNull();
  });
});

describe('policy schema: authorizations and determinations', () => {
  it('should name the bad fields', () => {
    const doc = structuredClone(DEFAULT_POLICY_DOCUMENT) as any;
    doc.authorizations[0].blocks = 'lunch';
    doc.authorizations[1].kind = 'Bad Kind';
    doc.determinations[1].condition = undefined;
    const fields = (d: unknown) => {
      const result = parsePolicyDocument(d);
      return 'problems' in result ? result.problems.map((p) => p.field).sort() : [];
    };
    expect(fields(doc)).toEqual(['authorizations.0.blocks', 'authorizations.1.kind', 'determinations.1.condition']);
    // Across entries (checked once each entry is well formed): unique names, kinds that exist.
    const crossed = structuredClone(DEFAULT_POLICY_DOCUMENT) as any;
    crossed.determinations.push({ ...crossed.determinations[0], outcome: 'licence_required', authorization: 'nope' });
    const last = crossed.determinations.length - 1;
    expect(fields(crossed)).toEqual([`determinations.${last}.authorization`, `determinations.${last}.rule`]);
  });

  it('should accept a document without them (older versions)', () => {
    const { authorizations: _a, determinations: _d, ...older } = structuredClone(DEFAULT_POLICY_DOCUMENT);
    expect('document' in parsePolicyDocument(older)).toBe(true);
  });
});

describe('redetermine after an amendment', () => {
  it('should keep recorded progress on kinds that still apply, add new ones and drop the rest', () => {
    const before = determine({ request: minimalRequest('conference'), tier: 'core' }, DEFAULT_POLICY);
    const granted = before.authorizations.map((a) => ({ ...a, status: 'granted' as const, reference: 'EX-1' }));
    const amended = minimalRequest('conference', { dataCategories: ['training_data'], returnDate: '2027-03-09' });
    const now = determine({ request: amended, tier: 'core' }, DEFAULT_POLICY);
    const { authorizations } = redetermine({ authorizations: granted }, now);
    expect(authorizations.map((a) => [a.kind, a.status, a.reference, a.neededThrough])).toEqual([
      ['official_exit_approval', 'granted', 'EX-1', '2027-03-09'],
      ['data_export_assessment', 'required', null, '2027-03-09'],
    ]);
    const plain = determine({ request: minimalRequest('conference'), tier: 'standard' }, DEFAULT_POLICY);
    expect(redetermine({ authorizations: granted }, plain).authorizations).toEqual([]);
  });
});

describe('an authorization that holds the departure', () => {
  it('should be an obligation of the approved request, met (and the request closed) when its grant is recorded', () => {
    const request = minimalRequest('conference', { dataCategories: ['personal_data'] });
    const { authorizations } = determine({ request, tier: 'standard' }, DEFAULT_POLICY);
    const obligations = obligationsFor({
      request,
      tier: 'standard',
      conditions: [],
      passportDueBackAt: null,
      policy: { ...DEFAULT_POLICY, afterApproval: { ...DEFAULT_POLICY.afterApproval!, debriefTypes: [] } },
      authorizations,
    });
    expect(obligations.map((o) => [o.kind, o.label, o.dueAt])).toEqual([
      [
        'authorization-data_export_assessment',
        'Data-export security assessment granted before departure',
        '2027-03-01T00:00:00.000Z',
      ],
    ]);
    const plan = planRoute({ request, tier: 'standard' }, DEFAULT_POLICY);
    const approved: RequestState = {
      ...initialState('r2', 'carol@example.com', plan),
      status: 'approved',
      authorizations,
      obligations,
    };
    const closed = recordAuthorization(approved, {
      kind: 'data_export_assessment',
      actorEmail: 'carol@example.com',
      asAdmin: false,
      at: '2027-02-01T00:00:00.000Z',
      status: 'granted',
    });
    expect(closed.obligations[0]).toMatchObject({ status: 'fulfilled', fulfilledBy: 'carol@example.com' });
    expect(closed.status).toBe('closed');
  });
});
