import { conflictOfInterest, reviewersLeft, type ConflictFacts } from './conflict-of-interest';
import { REQUEST_TYPES } from './vocabulary';

const MANAGER = 'hr-lead@example.com';

function facts(overrides: Partial<ConflictFacts> = {}): ConflictFacts {
  return {
    type: 'conference',
    approverEmail: 'legal@example.com',
    requesterManagerEmail: MANAGER,
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

  it('should take nothing the requester writes as a conflict (a counterparty contact is no exclusion)', () => {
    const written = {
      ...facts(),
      counterparties: [{ name: 'Lab Abroad', country: 'SG', contactEmail: 'legal@example.com' }],
    } as ConflictFacts;
    for (const type of REQUEST_TYPES) expect(conflictOfInterest({ ...written, type })).toBeNull();
  });
});

describe('reviewersLeft', () => {
  const onDeal = (email: string) => (email === 'hr@example.com' ? 'hr@example.com is named on the same deal' : null);

  it('should keep the members who are neither the requester nor conflicted', () => {
    expect(
      reviewersLeft({
        candidates: ['hr@example.com', 'HR-Lead@Example.com', 'carol@example.com'],
        requesterEmail: 'Carol@example.com',
        conflictOf: onDeal,
      }),
    ).toEqual(['hr-lead@example.com']);
  });

  it('should leave nobody when every member is conflicted or the party is empty', () => {
    expect(reviewersLeft({ candidates: ['hr@example.com'], requesterEmail: 'c@x', conflictOf: onDeal })).toEqual([]);
    expect(reviewersLeft({ candidates: [], requesterEmail: 'c@x', conflictOf: onDeal })).toEqual([]);
  });

  it('should count a person once', () => {
    expect(
      reviewersLeft({
        candidates: ['dave@example.com', 'Dave@example.com'],
        requesterEmail: 'c@x',
        conflictOf: onDeal,
      }),
    ).toEqual(['dave@example.com']);
  });
});
