import type { RestrictedParty, ScreeningHit } from '../domain/screening';
import type { ScreeningEntryRepository } from '../persistence/screening-entry.repository';
import { RestrictedPartyMatcher, type RestrictedPartyMatch } from './matcher';
import { coreTokens } from './normalize';

/**
 * Screens names against the stored restricted-party list. The list is loaded once and kept while
 * the repository's signature (count and newest entry, one cheap query) is unchanged, so an import
 * by any process (another API replica, the worker) is seen by the next screening.
 */
export class ScreeningService {
  private cache: { signature: string; matcher: RestrictedPartyMatcher } | null = null;
  private loading: { signature: string; matcher: Promise<RestrictedPartyMatcher> } | null = null;

  constructor(private readonly repo: ScreeningEntryRepository) {}

  /**
   * Every hit of every counterparty, in the counterparties' order, best hit first within each: one
   * hit per matched entry. A counterparty named twice (the same name as the matcher reads it, and
   * the same country) is screened once, so one entry is never counted twice for it.
   */
  async screen(counterparties: ReadonlyArray<{ name: string; country: string }>): Promise<ScreeningHit[]> {
    if (counterparties.length === 0) return [];
    const matcher = await this.matcher();
    const screened = new Set<string>();
    const once = counterparties.filter((c) => {
      const key = `${coreTokens(c.name).join(' ')}\n${c.country.toUpperCase()}`;
      if (screened.has(key)) return false;
      screened.add(key);
      return true;
    });
    return once.flatMap((c) =>
      matcher.match(c.name, c.country).map((m) => ({
        counterparty: c.name,
        counterpartyCountry: c.country,
        entryId: m.entry.id,
        entryName: m.entry.name,
        matchedName: m.matchedName,
        source: m.entry.source,
        score: m.score,
      })),
    );
  }

  /** The matches of one name, with the whole entry (for the admins' check route). */
  async check(name: string, country?: string | null): Promise<RestrictedPartyMatch[]> {
    return (await this.matcher()).match(name, country);
  }

  /** The matcher of the current list; rebuilt only when the stored list changed. */
  async matcher(): Promise<RestrictedPartyMatcher> {
    const signature = await this.repo.signature();
    if (this.cache?.signature === signature) return this.cache.matcher;
    // Concurrent callers that saw the same list share one load instead of each reading it all.
    if (this.loading?.signature === signature) return this.loading.matcher;
    const loading = { signature, matcher: this.load(signature) };
    this.loading = loading;
    try {
      return await loading.matcher;
    } finally {
      if (this.loading === loading) this.loading = null;
    }
  }

  private async load(signature: string): Promise<RestrictedPartyMatcher> {
    const parties: RestrictedParty[] = await this.repo.allParties();
    const matcher = new RestrictedPartyMatcher(parties);
    // Whichever load finishes last is cached: every call checks the signature, so never stale.
    this.cache = { signature, matcher };
    return matcher;
  }
}
