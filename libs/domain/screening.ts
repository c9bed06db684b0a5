/** A counterparty of a request that matched an entry of the restricted-party list. */
export interface ScreeningHit {
  /** The counterparty as the requester named it. */
  counterparty: string;
  counterpartyCountry: string;
  /** The matched entry: its id, primary name, the name or alias that matched, and its source list. */
  entryId: string;
  entryName: string;
  matchedName: string;
  source: string;
  /** Similarity 0..100 after normalisation (case, punctuation, word order, legal forms). */
  score: number;
}

/** A restricted-party entry as the domain sees it (stored by libs/persistence, matched by libs/screening). */
export interface RestrictedParty {
  id: string;
  name: string;
  aliases: string[];
  country: string | null;
  source: string;
}
