import { delegationSettingsOf } from '../delegation';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import { parsePolicyDocument, type PolicyDocument } from './policy-schema';

const copy = (): PolicyDocument => JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT)) as PolicyDocument;

function problems(doc: unknown): Record<string, string[]> {
  const result = parsePolicyDocument(doc);
  if ('document' in result) return {};
  return Object.fromEntries(result.problems.map((p) => [p.field, p.messages]));
}

describe('policy schema', () => {
  it('should accept the default policy of DOMAIN.md', () => {
    expect(problems(DEFAULT_POLICY_DOCUMENT)).toEqual({});
  });

  it('should name the path of every bad field at once', () => {
    const doc = copy() as any;
    doc.routes.conference[0].party = 'finance';
    doc.routes.overseas_assignment[1].stage = 0;
    doc.destinationRisk.countries.us = 'high';
    doc.parties.hr.quorum = 0;
    doc.parties.legal.deadlines.reminderAfter = 'tomorrow';
    const found = problems(doc);
    expect(Object.keys(found).sort()).toEqual(
      [
        'destinationRisk.countries.us',
        'parties.hr.quorum',
        'parties.legal.deadlines.reminderAfter',
        'routes.conference.0.party',
        'routes.overseas_assignment.1.stage',
      ].sort(),
    );
    expect(found['parties.legal.deadlines.reminderAfter'][0]).toContain('duration');
  });

  it('should bound delegations to whole days, and parse older versions that say nothing of them', () => {
    const older = copy();
    delete older.delegation;
    expect(problems(older)).toEqual({});
    expect(delegationSettingsOf(older)).toEqual({ maxDays: 30 });
    expect(delegationSettingsOf({ ...copy(), delegation: { maxDays: 14 } })).toEqual({ maxDays: 14 });
    expect(Object.keys(problems({ ...copy(), delegation: { maxDays: 0 } }))).toEqual(['delegation.maxDays']);
    expect(Object.keys(problems({ ...copy(), delegation: { maxDays: 7.5 } }))).toEqual(['delegation.maxDays']);
    expect(Object.keys(problems({ ...copy(), delegation: {} }))).toEqual(['delegation.maxDays']);
  });

  it('should refuse deadlines out of order', () => {
    const doc = copy();
    doc.parties.security.deadlines = {
      reminderAfter: '2d',
      reminderEvery: '1d',
      escalateAfter: '1d',
      expireAfter: '12h',
    };
    expect(problems(doc)).toEqual({
      'parties.security.deadlines.escalateAfter': ['must be later than reminderAfter'],
      'parties.security.deadlines.expireAfter': ['must be later than escalateAfter'],
    });
  });

  it('should refuse unknown conditions, unknown keys and a type without a route', () => {
    const doc = copy() as any;
    doc.routes.conference[1].when = { salaryAbove: 100 };
    doc.colour = 'blue';
    delete doc.routes.departure_abroad;
    doc.routes.conference[0].when = { anyOf: [] };
    const found = problems(doc);
    expect(found['routes.conference.1.when']).toEqual([
      'is not a known condition (see the policy format in the README)',
    ]);
    expect(found['routes.departure_abroad']).toBeDefined();
    expect(found.policy ?? found['']).toBeDefined();
    expect(found['routes.conference.0.when.anyOf']).toEqual(['Array must contain at least 1 element(s)']);
  });

  it('should refuse a body that is not a policy at all', () => {
    expect(Object.keys(problems('nope'))).toEqual(['policy']);
    expect(Object.keys(problems(null))).toEqual(['policy']);
  });
});
