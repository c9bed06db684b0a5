/**
 * Name normalisation for restricted-party matching. Two spellings of one name should normalise to
 * the same string: case, diacritics, punctuation, whitespace, word order and the usual
 * abbreviations of legal forms and common words do not count.
 *
 *   normalizeName('ACME Quantum Research Inst.')       === 'acme institute quantum research'
 *   normalizeName('Research Institute, ACME Quantum')  === 'acme institute quantum research'
 *   normalizeName('Société Générale S.A.')             === 'generale sa societe'
 */

/** Letters that Unicode decomposition does not split into a base letter and a mark. */
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/** One token → its canonical form (abbreviations expanded, a few plurals and spellings folded). */
const TOKEN_FORMS: Record<string, string> = {
  // legal forms
  ltd: 'limited',
  ltda: 'limited',
  co: 'company',
  cie: 'company',
  corp: 'corporation',
  corpn: 'corporation',
  inc: 'incorporated',
  incorp: 'incorporated',
  aktiengesellschaft: 'ag',
  // common words of organisation names
  inst: 'institute',
  institut: 'institute',
  instituto: 'institute',
  univ: 'university',
  universitat: 'university',
  universite: 'university',
  universidad: 'university',
  universita: 'university',
  intl: 'international',
  internat: 'international',
  tech: 'technology',
  techn: 'technology',
  technol: 'technology',
  technologies: 'technology',
  lab: 'laboratory',
  labs: 'laboratory',
  laboratories: 'laboratory',
  acad: 'academy',
  assn: 'association',
  assoc: 'association',
  bros: 'brothers',
  centre: 'center',
  ctr: 'center',
  dept: 'department',
  eng: 'engineering',
  engg: 'engineering',
  govt: 'government',
  grp: 'group',
  hldgs: 'holding',
  holdings: 'holding',
  mfg: 'manufacturing',
  natl: 'national',
  pvt: 'private',
  sci: 'science',
  sciences: 'science',
  svcs: 'services',
  trdg: 'trading',
};

/** Multi-word legal forms (after token expansion) → one canonical token. Longest first. */
const PHRASES: Array<[string[], string]> = (
  [
    ['gesellschaft mit beschrankter haftung', 'gmbh'],
    ['open joint stock company', 'ojsc'],
    ['closed joint stock company', 'cjsc'],
    ['public joint stock company', 'pjsc'],
    ['limited liability company', 'llc'],
    ['limited liability partnership', 'llp'],
    ['public limited company', 'plc'],
    ['joint stock company', 'jsc'],
    ['free zone establishment', 'fze'],
    ['free zone company', 'fzco'],
    ['limited partnership', 'lp'],
    ['societe anonyme', 'sa'],
    ['sociedad anonima', 'sa'],
  ] as Array<[string, string]>
).map(([phrase, form]) => [phrase.split(' '), form]);

/**
 * Canonical tokens of legal forms. They say how a company is incorporated, not who it is, so the
 * matcher leaves them out of the comparison ("Acme Ltd" and "Acme GmbH" are the same name).
 */
export const LEGAL_FORM_TOKENS: ReadonlySet<string> = new Set([
  'ab',
  'ag',
  'bv',
  'cjsc',
  'company',
  'corporation',
  'fzc',
  'fzco',
  'fze',
  'gmbh',
  'incorporated',
  'jsc',
  'kg',
  'kk',
  'limited',
  'llc',
  'llp',
  'lp',
  'nv',
  'oao',
  'ojsc',
  'ooo',
  'oy',
  'pao',
  'pjsc',
  'plc',
  'pte',
  'pty',
  'sa',
  'sarl',
  'sas',
  'spa',
  'srl',
  'zao',
]);

/** Connecting words that carry no identity ("Institute of Physics" = "Physics Institute"). */
export const STOP_TOKENS: ReadonlySet<string> = new Set([
  'and',
  'the',
  'of',
  'for',
  'de',
  'der',
  'des',
  'du',
  'la',
  'le',
  'et',
  'und',
]);

function foldLetters(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (c) => SPECIAL_LETTERS[c] ?? c);
}

function collapsePhrases(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    const hit = PHRASES.find(([words]) => words.every((w, k) => tokens[i + k] === w));
    if (hit) {
      out.push(hit[1]);
      i += hit[0].length;
    } else {
      out.push(tokens[i]);
      i += 1;
    }
  }
  return out;
}

/** The canonical tokens of a name, in their original order. */
export function nameTokens(name: string): string[] {
  const text = foldLetters(name)
    .replace(/[&+]/g, ' and ')
    // Apostrophes join: Int'l → intl, O'Brien → obrien.
    .replace(/['’`´]/g, '')
    // Dotted initialisms become one token: S.A. → sa, L.L.C. → llc, G.m.b.H. → gmbh.
    .replace(/(?<![\p{L}\p{N}])(?:\p{L}\.)+\p{L}(?![\p{L}\p{N}])\.?/gu, (m) => m.replace(/\./g, ''))
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (!text) return [];
  return collapsePhrases(text.split(' ').map((token) => TOKEN_FORMS[token] ?? token));
}

/** The canonical form of a name: its canonical tokens sorted and joined by one space. */
export function normalizeName(name: string): string {
  return [...nameTokens(name)].sort().join(' ');
}

/**
 * The tokens that identify, in their original order: canonical tokens without legal forms and
 * connecting words. A name made only of such words ("The Company Limited") keeps all its tokens.
 */
export function identifyingTokens(name: string): string[] {
  const tokens = nameTokens(name);
  const core = tokens.filter((t) => !LEGAL_FORM_TOKENS.has(t) && !STOP_TOKENS.has(t));
  return core.length > 0 ? core : tokens;
}

/** The identifying tokens, sorted (word order does not count). */
export function coreTokens(name: string): string[] {
  return identifyingTokens(name).sort();
}
