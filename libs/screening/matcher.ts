import { ratio } from 'fuzzball';
import type { RestrictedParty } from '../domain/screening';
import { entryIdentity } from './identity';
import { identifyingTokens } from './normalize';

/**
 * A counterparty hits an entry when the similarity of its name to the entry's name or one of its
 * aliases reaches this score (0..100).
 *
 * Why 85: names are compared word by word after normalisation (see `similarity`), so a long name
 * with one or two typos still scores 93..99, while a different or missing word costs its whole
 * length ("Acme Quantum Computing" vs "Acme Quantum Research Institute": 46; "Acme Quantum
 * Research" vs the same: 81; one extra word in five, "... Institute Beijing": 89, a hit). The
 * threshold mostly decides how forgiving a one-word name is: one wrong letter in seven ("Rosatum"
 * vs "Rosatom": 86) or a dropped letter of an acronym ("AQR" vs "AQRI": 86) is a hit for a person
 * to review; one wrong letter in five ("Sigme" vs "Sigma": 80) or four ("Zeta" vs "Beta": 0) is
 * not. Screening errs on the side of a hit a person reviews.
 */
export const MATCH_THRESHOLD = 85;

/**
 * Two tokens count as the same word from this similarity up (fuzzball `ratio`, 0..100): "reserch"
 * ~ "research" (93), "qunatum" ~ "quantum" (86), but not "northern" ~ "southern" (75).
 */
export const TOKEN_THRESHOLD = 80;

export interface RestrictedPartyMatch {
  entry: RestrictedParty;
  /** The entry's name or the alias that scored best. */
  matchedName: string;
  /** Similarity 0..100 of the screened name and `matchedName` after normalisation. */
  score: number;
  /** Whether the screened country equals the entry's; null when either is unknown. */
  countryMatch: boolean | null;
}

const HAS_DIGIT = /\p{N}/u;
const RATIO_OPTIONS = { full_process: false } as const;

/**
 * Numbers identify ("Research Institute No. 12" is not "No. 13") but are short, so a differing
 * number would cost little by length alone: when both names carry numbers and they differ, the
 * similarity is capped here, far below any threshold.
 */
export const NUMBER_MISMATCH_CAP = 50;

interface PreparedName {
  name: string;
  tokens: string[];
  /** The tokens that carry digits, sorted and joined: numbers must agree. */
  numbers: string;
  /** The tokens in their order without spaces, to catch "AcmeQuantum" vs "Acme Quantum". */
  compact: string;
  chars: number;
}

function prepare(name: string): PreparedName {
  const ordered = identifyingTokens(name);
  const tokens = [...ordered].sort();
  return {
    name,
    tokens,
    numbers: tokens.filter((t) => HAS_DIGIT.test(t)).join(' '),
    compact: ordered.join(''),
    chars: tokens.reduce((n, t) => n + t.length, 0),
  };
}

function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 100;
  // Tokens with digits pair only when equal ("12" is not "13", "a320" is not "a321").
  if (HAS_DIGIT.test(a) || HAS_DIGIT.test(b)) return 0;
  // A ratio is at most 2·min/sum of the lengths: skip pairs that cannot reach the token threshold.
  if ((200 * Math.min(a.length, b.length)) / (a.length + b.length) < TOKEN_THRESHOLD - 1) return 0;
  return ratio(a, b, RATIO_OPTIONS);
}

type TokenScorer = (a: string, b: string) => number;

/** Token similarity remembered for one screened name: list vocabularies repeat words a lot. */
function memoised(): TokenScorer {
  const memo = new Map<string, Map<string, number>>();
  return (a, b) => {
    let row = memo.get(a);
    if (!row) memo.set(a, (row = new Map<string, number>()));
    let sim = row.get(b);
    if (sim === undefined) {
      sim = tokenSimilarity(a, b);
      row.set(b, sim);
    }
    return sim;
  };
}

/**
 * Similarity 0..100 of two prepared names. Every token of one name is paired with at most one
 * token of the other (best pairs first, only pairs at TOKEN_THRESHOLD or above); the score is the
 * pairs' similarity weighted by their length, over the length of both names. An unpaired word
 * therefore costs its whole length, which is what keeps near misses (an extra or a different word)
 * out while a misspelt word costs only a little.
 */
function similarity(a: PreparedName, b: PreparedName, floor = 0, tokenSim: TokenScorer = tokenSimilarity): number {
  if (a.tokens.length === 0 || b.tokens.length === 0) return 0;
  if (a.compact === b.compact) return 100;
  const numbersDiffer = a.numbers !== '' && b.numbers !== '' && a.numbers !== b.numbers;
  if (numbersDiffer && floor > NUMBER_MISMATCH_CAP) return 0;
  const total = a.chars + b.chars;
  // Pairs never cover more than twice the shorter name (a token ratio is at most 2·min/sum):
  // skip comparisons that cannot reach the floor (with a point of slack for rounding).
  if ((200 * Math.min(a.chars, b.chars)) / total < floor - 1) return 0;
  const pairs: Array<{ i: number; j: number; sim: number }> = [];
  a.tokens.forEach((ta, i) =>
    b.tokens.forEach((tb, j) => {
      const sim = tokenSim(ta, tb);
      if (sim >= TOKEN_THRESHOLD) pairs.push({ i, j, sim });
    }),
  );
  pairs.sort((x, y) => y.sim - x.sim);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let covered = 0;
  for (const { i, j, sim } of pairs) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    covered += (sim * (a.tokens[i].length + b.tokens[j].length)) / 100;
  }
  const score = Math.round((100 * covered) / total);
  return numbersDiffer ? Math.min(score, NUMBER_MISMATCH_CAP) : score;
}

/** Similarity 0..100 of two names after normalisation (case, punctuation, word order, legal forms). */
export function nameSimilarity(a: string, b: string): number {
  return similarity(prepare(a), prepare(b));
}

interface PreparedEntry {
  entry: RestrictedParty;
  names: PreparedName[];
  /** The entry's identity (libs/screening/identity.ts): two entries with one identity are one hit. */
  identity: string;
}

/**
 * Matches names against a restricted-party list, each entry by its name and every alias. Build it
 * once per list (normalising the list is the expensive part) and call `match` per counterparty.
 *
 * The country never hides a hit: lists record only known addresses and restricted parties trade
 * through other countries. It orders hits of equal score and is reported as `countryMatch`.
 */
export class RestrictedPartyMatcher {
  private readonly entries: PreparedEntry[];

  constructor(
    entries: readonly RestrictedParty[],
    private readonly threshold: number = MATCH_THRESHOLD,
  ) {
    this.entries = entries.map((entry) => ({
      entry,
      names: [entry.name, ...entry.aliases].filter((n) => n.trim()).map(prepare),
      identity: entryIdentity(entry),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Entries whose name or an alias scores at least the threshold, best first; one result per entry,
   * and one per identity: should the list hold two entries with the same identity (the database
   * refuses that, but a list given here need not come from it), only the better hit is reported.
   */
  match(name: string, country?: string | null): RestrictedPartyMatch[] {
    const query = prepare(name);
    if (query.tokens.length === 0) return [];
    const wanted = country ? country.toUpperCase() : null;
    const tokenSim = memoised();
    const hits: Array<RestrictedPartyMatch & { identity: string }> = [];
    for (const { entry, names, identity } of this.entries) {
      let best: { name: string; score: number } | null = null;
      for (const candidate of names) {
        const score = similarity(query, candidate, this.threshold, tokenSim);
        if (score >= this.threshold && (!best || score > best.score)) best = { name: candidate.name, score };
      }
      if (!best) continue;
      hits.push({
        identity,
        entry,
        matchedName: best.name,
        score: best.score,
        countryMatch: wanted && entry.country ? wanted === entry.country.toUpperCase() : null,
      });
    }
    hits.sort(
      (x, y) =>
        y.score - x.score ||
        Number(y.countryMatch === true) - Number(x.countryMatch === true) ||
        x.entry.name.localeCompare(y.entry.name) ||
        x.entry.id.localeCompare(y.entry.id),
    );
    const seen = new Set<string>();
    return hits
      .filter((h) => !seen.has(h.identity) && !!seen.add(h.identity))
      .map(({ identity: _identity, ...hit }) => hit);
  }
}
