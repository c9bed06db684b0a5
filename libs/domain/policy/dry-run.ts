import type { Party } from '../vocabulary';
import type { RoutePlan } from './evaluate';

/** What a dry run may say about restricted-party screening to someone who may not read the list. */
export interface RestrictedPartyReview {
  /** Some counterparty needs restricted-party review. */
  needed: boolean;
  /** The parties that review only because of it. */
  addsParties: Party[];
}

/** The words that stand for every screening reason in a dry run shown to such a person. */
export const RESTRICTED_PARTY_REASON = 'a counterparty needs restricted-party review';

/**
 * A dry run's plan as everyone but admins and auditors may see it: the route is the real one, but no
 * screening hit, entry name, alias, source or score is in it (so nobody can tune a counterparty's
 * spelling until it no longer matches). `unscreened` is the same request planned without the hits:
 * every reason the hits added is replaced by one sentence.
 */
export function withoutScreeningDetails(
  plan: RoutePlan,
  unscreened: RoutePlan,
): RoutePlan & { restrictedPartyReview: RestrictedPartyReview } {
  const before = new Map(unscreened.stages.flatMap((s) => s.parties).map((p) => [p.party, p.reasons]));
  const needed = plan.screeningHits.length > 0;
  return {
    ...plan,
    screeningHits: [],
    restrictedPartyReview: {
      needed,
      addsParties: plan.stages.flatMap((s) => s.parties.map((p) => p.party)).filter((p) => !before.has(p)),
    },
    stages: plan.stages.map((stage) => ({
      ...stage,
      parties: stage.parties.map((party) => {
        const known = before.get(party.party) ?? [];
        const added = party.reasons.some((r) => !known.includes(r));
        return { ...party, reasons: added ? [...known, RESTRICTED_PARTY_REASON] : party.reasons };
      }),
    })),
  };
}

/** The same fact for those who may read the list: the plan stays whole. */
export function withScreeningSummary(
  plan: RoutePlan,
  unscreened: RoutePlan,
): RoutePlan & { restrictedPartyReview: RestrictedPartyReview } {
  return { ...plan, restrictedPartyReview: withoutScreeningDetails(plan, unscreened).restrictedPartyReview };
}
