import { isISO31661Alpha2 } from 'class-validator';
import { countryName } from '@libs/domain/labels';

/** Every ISO 3166-1 alpha-2 country (validator's list) with its English name (CLDR), by name. */
export const COUNTRIES: readonly { code: string; name: string }[] = (() => {
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  return letters
    .flatMap((a) => letters.map((b) => a + b))
    .filter((code) => isISO31661Alpha2(code))
    .map((code) => ({ code, name: countryName(code) }))
    .sort((x, y) => x.name.localeCompare(y.name, 'en'));
})();

/** Names compared without case, accents or punctuation: "cote d'ivoire" finds "Côte d’Ivoire". */
const fold = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const BY_NAME = new Map(COUNTRIES.map((c) => [fold(c.name), c.code]));

/**
 * The ISO code of what a person typed in a country field: a country's name ("Japan", any case) or its
 * code ("JP"). Anything else is given back as typed, so the API refuses it naming the field and the
 * form shows it again as it was.
 */
export function countryCodeFrom(typed: string): string {
  const text = typed.trim();
  if (/^[A-Za-z]{2}$/.test(text) && isISO31661Alpha2(text.toUpperCase())) return text.toUpperCase();
  return BY_NAME.get(fold(text)) ?? text;
}

/** What a country field shows: the name of a known code, anything else as it was typed. */
export function countryInput(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return /^[A-Z]{2}$/.test(text) && isISO31661Alpha2(text) ? countryName(text) : text;
}
