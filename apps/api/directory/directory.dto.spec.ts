import { DomainError } from '../common/domain-error';
import { parsePersonInput } from './directory.dto';

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return (err.fields ?? []).map((f) => f.field).sort();
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('parsePersonInput', () => {
  it('should answer the domain person, normalising emails and defaulting flags and parties', () => {
    expect(
      parsePersonInput('Alice@Example.com', {
        name: ' Alice Kim ',
        tier: 'core',
        roles: ['employee'],
        managerEmail: 'Dave@Example.com',
      }),
    ).toEqual({
      email: 'alice@example.com',
      name: 'Alice Kim',
      tier: 'core',
      roles: ['employee'],
      managerEmail: 'dave@example.com',
      flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
      parties: [],
    });
  });

  it('should name every bad field at once', () => {
    expect(
      fieldsOf(() =>
        parsePersonInput('a@example.com', {
          name: '  ',
          tier: 'galactic',
          roles: [],
          managerEmail: 'a@example.com',
          classifiedAccess: 'yes',
          confidentialityPeriodEnds: '2030-13-01',
          parties: [
            { party: 'legal', lead: true },
            { party: 'court', lead: 'no' },
            { party: 'legal', lead: false },
          ],
          colour: 'red',
        }),
      ),
    ).toEqual([
      'classifiedAccess',
      'colour',
      'confidentialityPeriodEnds',
      'managerEmail',
      'name',
      'parties',
      'parties.1.lead',
      'parties.1.party',
      'roles',
      'tier',
    ]);
  });

  it('should require tier, allowing null, and refuse an email path that is no email', () => {
    expect(fieldsOf(() => parsePersonInput('nobody', { name: 'N', roles: ['approver'] }))).toEqual(['email', 'tier']);
    expect(parsePersonInput('n@example.com', { name: 'N', tier: null, roles: ['approver'] }).tier).toBeNull();
  });

  it('should refuse an admin removing their own admin role', () => {
    expect(
      fieldsOf(() =>
        parsePersonInput('admin@example.com', { name: 'A', tier: null, roles: ['auditor'] }, 'admin@example.com'),
      ),
    ).toEqual(['roles']);
  });
});
