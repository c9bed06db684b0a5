import { coreTokens, nameTokens, normalizeName } from './normalize';

describe('normalizeName', () => {
  it.each([
    ['case and surrounding whitespace', '  ACME   Quantum\tResearch  ', 'acme quantum research'],
    ['punctuation', 'Acme-Quantum/Research, (Beijing)!', 'acme beijing quantum research'],
    ['diacritics', 'Société Générale', 'generale societe'],
    ['letters without a decomposition', 'Straße Ærø Łódź', 'aero lodz strasse'],
    ['word order', 'Research Institute, ACME Quantum', 'acme institute quantum research'],
    ['Inst. and Inst', 'Acme Inst. / Acme Inst', 'acme acme institute institute'],
    ['Ltd and Ltd.', 'Acme Ltd.', 'acme limited'],
    ['Co. and Co', 'Acme Co. Acme Co', 'acme acme company company'],
    ['Corp, Inc', 'Acme Corp Inc.', 'acme corporation incorporated'],
    ['Univ, Intl, Tech', 'Acme Univ. Intl Tech', 'acme international technology university'],
    ["Int'l with an apostrophe", "Acme Int'l", 'acme international'],
    ['dotted initialisms', 'Acme S.A. / Acme L.L.C. / Acme G.m.b.H.', 'acme acme acme gmbh llc sa'],
    ['multi-word legal forms', 'Acme Limited Liability Company', 'acme llc'],
    ['legal forms spelt out after expansion', 'Acme Ltd. Liability Co.', 'acme llc'],
    ['joint stock companies', 'Kestrel Joint Stock Company', 'jsc kestrel'],
    ['& and + (as and)', 'Smith & Sons + Partners', 'and and partners smith sons'],
    ['plural and short forms of common words', 'Beta Labs Holdings Mfg', 'beta holding laboratory manufacturing'],
    ['digits (kept)', 'Research Institute No. 704', '704 institute no research'],
    ['non-Latin scripts (kept)', 'Институт  Примеров', 'институт примеров'],
    ['a name of punctuation only (to nothing)', ' .,;- ', ''],
  ])('should normalise %s', (_, name, expected) => {
    expect(normalizeName(name)).toBe(expected);
  });

  it('should give the same form to spellings of one name', () => {
    const forms = [
      'ACME Quantum Research Institute',
      'Acme Quantum Research Inst.',
      'acme quantum research inst',
      'Research Institute (ACME Quantum)',
      'ÀCME Quantum Research Institut',
    ].map(normalizeName);
    expect(new Set(forms).size).toBe(1);
  });

  it('should keep the original order in nameTokens', () => {
    expect(nameTokens('Zeta Alpha Co.')).toEqual(['zeta', 'alpha', 'company']);
  });

  it('should leave legal forms and connecting words out of the core tokens unless nothing else is left', () => {
    expect(coreTokens('The Institute of Acme Quantum Ltd.')).toEqual(['acme', 'institute', 'quantum']);
    expect(coreTokens('Acme GmbH')).toEqual(coreTokens('Acme Limited'));
    expect(coreTokens('The Company Limited')).toEqual(['company', 'limited', 'the']);
  });
});
