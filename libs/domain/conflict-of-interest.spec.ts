import { conflictOfInterest, type ConflictFacts } from './conflict-of-interest';
import { REQUEST_TYPES } from './vocabulary';

const MANAGER = 'hr-lead@example.com';

function facts(overrides: Partial<ConflictFacts> = {}): ConflictFacts {
  return {
    type: 'conference',
    approverEmail: 'legal@example.com',
    requesterManagerEmail: MANAGER,
    counterparties: [],
    dealParticipants: [],
    ...overrides,
  };
}

describe('conflictOfInterest', () => {
  it('should find no conflict for an approver with no tie to the request', () => {
    for (const type of REQUEST_TYPES) expect(conflictOfInterest(facts({ type }))).toBeNull();
  });

  describe("the requester's manager", () => {
    it('should not decide on a departure abroad', () => {
      expect(conflictOfInterest(facts({ type: 'departure_abroad', approverEmail: MANAGER }))).toBe(
        "hr-lead@example.com is the requester's manager, who may not decide on their departure",
      );
    });

    it.each(REQUEST_TYPES.filter((t) => t !== 'departure_abroad'))('should decide on a %s', (type) => {
      expect(conflictOfInterest(facts({ type, approverEmail: MANAGER }))).toBeNull();
    });

    it('should be recognised in any letter case', () => {
      const conflict = (approverEmail: string, requesterManagerEmail: string) =>
        conflictOfInterest(facts({ type: 'departure_abroad', approverEmail, requesterManagerEmail }));
      expect(conflict('HR-Lead@Example.com', MANAGER)).toContain('hr-lead@example.com');
      expect(conflict(MANAGER, 'HR-LEAD@EXAMPLE.COM')).not.toBeNull();
    });

    it('should be no conflict when the requester has no manager in the directory', () => {
      expect(
        conflictOfInterest(facts({ type: 'departure_abroad', approverEmail: MANAGER, requesterManagerEmail: null })),
      ).toBeNull();
    });
  });

  describe("a counterparty's contact", () => {
    const counterparties = [
      { name: 'Clean Org', country: 'US' },
      { name: 'Lab Abroad', country: 'SG', contactEmail: 'Legal@Example.com' },
    ];

    it.each(REQUEST_TYPES)('should not decide on a %s naming that counterparty', (type) => {
      expect(conflictOfInterest(facts({ type, counterparties }))).toBe(
        'legal@example.com is the contact of counterparty "Lab Abroad"',
      );
    });

    it('should be recognised in any letter case', () => {
      expect(conflictOfInterest(facts({ counterparties, approverEmail: 'LEGAL@EXAMPLE.COM' }))).not.toBeNull();
    });

    it('should leave other approvers free to decide', () => {
      expect(conflictOfInterest(facts({ counterparties, approverEmail: 'legal-lead@example.com' }))).toBeNull();
    });
  });

  describe('a participant of the same deal', () => {
    const dealParticipants = ['bob@example.com', 'Legal@Example.com'];

    it('should not decide on an ma_participation', () => {
      expect(conflictOfInterest(facts({ type: 'ma_participation', dealParticipants }))).toBe(
        'legal@example.com is named on the same deal',
      );
    });

    it('should be recognised in any letter case', () => {
      expect(
        conflictOfInterest(facts({ type: 'ma_participation', dealParticipants, approverEmail: 'LEGAL@example.COM' })),
      ).not.toBeNull();
    });

    it('should only matter on an ma_participation', () => {
      expect(conflictOfInterest(facts({ type: 'conference', dealParticipants }))).toBeNull();
    });
  });
});
