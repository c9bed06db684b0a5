import type { RestrictedParty } from '../domain/screening';
import { MATCH_THRESHOLD, nameSimilarity, NUMBER_MISMATCH_CAP, RestrictedPartyMatcher } from './matcher';

const entry = (id: string, name: string, aliases: string[] = [], country: string | null = null): RestrictedParty => ({
  id,
  name,
  aliases,
  country,
  source: 'Entity List (EL) - Bureau of Industry and Security',
});

const LIST: RestrictedParty[] = [
  entry('acme', 'ACME Quantum Research Institute', ['AQRI'], 'CN'),
  entry('beta', 'Beta Lab Supplies International', ['BLSI'], 'HK'),
  entry('orion', 'Orion Precision Machining LLC', [], 'AE'),
  entry('nwpu', 'Northwestern Polytechnical University', ['NWPU'], 'CN'),
  entry('ri704', 'Research Institute No. 704', [], 'RU'),
  entry('mueller', 'Müller & Söhne Feinmechanik AG', [], 'CH'),
  entry('rosatom', 'Rosatom', [], 'RU'),
  entry('star', 'Southern Star Trading Co.', [], 'PA'),
];

describe('RestrictedPartyMatcher', () => {
  const matcher = new RestrictedPartyMatcher(LIST);

  it.each([
    // [screened name, entry it must hit, why]
    ['Acme Quantum Research Inst.', 'acme', 'abbreviation and case'],
    ['acme quantum research institute', 'acme', 'case'],
    ['ACME-Quantum Research Institute!', 'acme', 'punctuation'],
    ['Research Institute, Acme Quantum', 'acme', 'word order'],
    ['Institute of Acme Quantum Research', 'acme', 'connecting words'],
    ['Acme Quantum Reserch Institute', 'acme', 'a missing letter'],
    ['Acme Qunatum Research Institute', 'acme', 'swapped letters'],
    ['Akme Quantum Research Institute', 'acme', 'a wrong first word letter'],
    ['AcmeQuantum Research Institute', 'acme', 'a missing space'],
    ['ACME Quantum Research Institute Ltd.', 'acme', 'an added legal form'],
    ['AQRI', 'acme', 'an alias'],
    ['Beta Lab Supplies Intl.', 'beta', 'Intl.'],
    ['Beta Laboratory Supplies International Co., Ltd.', 'beta', 'lab spelt out and legal forms'],
    ['Orion Precision Machining L.L.C.', 'orion', 'dotted legal form'],
    ['Orion Precision Machining Limited Liability Company', 'orion', 'legal form spelt out'],
    ['Orion Precision Machining FZE', 'orion', 'another legal form'],
    ['Northwestern Polytechnical Univ.', 'nwpu', 'Univ.'],
    ['Research Inst. No 704', 'ri704', 'the same number'],
    ['Mueller und Soehne Feinmechanik', 'mueller', 'umlauts spelt out, und'],
    ['Muller & Sohne Feinmechanik A.G.', 'mueller', 'diacritics dropped'],
    ['Rosatum', 'rosatom', 'one wrong letter in a seven-letter name'],
  ])('should match %p to %p (%s)', (name, id) => {
    const hits = matcher.match(name);
    expect(hits.map((h) => h.entry.id)).toContain(id);
    const hit = hits.find((h) => h.entry.id === id)!;
    expect(hit.score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(hit.score).toBeLessThanOrEqual(100);
  });

  it.each([
    ['Acme Quantum Computing', 'a different last word'],
    ['Acme Quantum Research', 'a whole word missing'],
    ['Beta Labs', 'a short name sharing two words'],
    ['Beta Lab Supplies', 'a prefix of the entry'],
    ['Quantum', 'one word of a longer entry'],
    ['Acme', 'the first word of a longer entry'],
    ['Orion Precision Optics LLC', 'one word different, same legal form'],
    ['Northern Star Trading Co.', 'a different first word two letters apart'],
    ['Research Institute No. 705', 'another number'],
    ['Rosneft', 'a different short name'],
    ['AQR Capital', 'an acronym-like prefix'],
    ['Example Org', 'nothing in common'],
    ['Ltd.', 'a legal form only'],
    ['', 'an empty name'],
    ['.,;', 'punctuation only'],
  ])('should not match %p (%s)', (name) => {
    expect(matcher.match(name)).toEqual([]);
  });

  it('should report the entry, the name or alias that matched and a score', () => {
    const [hit] = matcher.match('Acme Quantum Research Inst.', 'CN');
    expect(hit).toEqual({
      entry: LIST[0],
      matchedName: 'ACME Quantum Research Institute',
      score: 100,
      countryMatch: true,
    });
    expect(matcher.match('aqri')[0]).toMatchObject({ matchedName: 'AQRI', score: 100, countryMatch: null });
  });

  it('should not hide a hit in another country, only say the country differs', () => {
    const [hit] = matcher.match('Acme Quantum Research Institute', 'us');
    expect(hit).toMatchObject({ score: 100, countryMatch: false });
  });

  it('should put the best score first and one result per entry', () => {
    const m = new RestrictedPartyMatcher([
      entry('a', 'Acme Quantum Research Institute'),
      entry('b', 'Acme Quantum Research Institut', ['Acme Quantum Research Institute Beijing'], 'CN'),
    ]);
    const hits = m.match('Acme Quantum Research Institute Beijing');
    expect(hits.map((h) => [h.entry.id, h.matchedName, h.score])).toEqual([
      ['b', 'Acme Quantum Research Institute Beijing', 100],
      ['a', 'Acme Quantum Research Institute', expect.any(Number)],
    ]);
    expect(hits[1].score).toBeLessThan(100);
  });

  it('should order equal scores by country agreement', () => {
    const m = new RestrictedPartyMatcher([entry('x', 'Acme Ltd', [], 'DE'), entry('y', 'Acme GmbH', [], 'CN')]);
    expect(m.match('Acme', 'CN').map((h) => h.entry.id)).toEqual(['y', 'x']);
  });

  it('should accept a stricter threshold', () => {
    expect(new RestrictedPartyMatcher(LIST, 90).match('Rosatum')).toEqual([]);
  });
});

describe('nameSimilarity', () => {
  it('should be 100 for the same name however written', () => {
    expect(nameSimilarity('ACME Quantum Research Institute', 'Research Inst., Acme Quantum')).toBe(100);
  });

  it('should be symmetric and between 0 and 100', () => {
    const pairs: Array<[string, string]> = [
      ['Acme Quantum Computing', 'ACME Quantum Research Institute'],
      ['Beta Labs', 'Beta Lab Supplies International'],
      ['Rosatum', 'Rosatom'],
    ];
    for (const [a, b] of pairs) {
      expect(nameSimilarity(a, b)).toBe(nameSimilarity(b, a));
      expect(nameSimilarity(a, b)).toBeGreaterThanOrEqual(0);
      expect(nameSimilarity(a, b)).toBeLessThanOrEqual(100);
    }
  });

  it('should cap names whose numbers differ', () => {
    expect(nameSimilarity('Research Institute No. 12', 'Research Institute No. 13')).toBeLessThanOrEqual(
      NUMBER_MISMATCH_CAP,
    );
  });
});

describe('RestrictedPartyMatcher with entries of one identity', () => {
  it('should report one hit for two entries with the same identity, and two for distinct entries', () => {
    const matcher = new RestrictedPartyMatcher([
      entry('b-copy', 'Research Institute, ACME Quantum Ltd', [], 'CN'),
      entry('a-first', 'ACME Quantum Research Institute', [], 'CN'),
      entry('hk', 'ACME Quantum Research Institute', [], 'HK'),
    ]);
    const hits = matcher.match('Acme Quantum Research Inst.', 'CN');
    expect(hits.map((h) => h.entry.id)).toEqual(['a-first', 'hk']);
  });
});
