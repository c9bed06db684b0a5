/**
 * Reading posted form values. A form field arrives as a string, repeated fields as an array, and
 * the same routes accept JSON bodies, so anything may arrive: what is not a string counts as empty.
 */

/** Every value of a (possibly repeated) field, as strings. */
export const rows = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : ''));

/** The field's value (the first, when it was repeated). */
export const one = (value: unknown): string => rows(value)[0] ?? '';

/** The non-empty values of a repeated field (checkboxes). */
export const list = (value: unknown): string[] => rows(value).filter((v) => v !== '');

/** A textarea's non-empty lines, trimmed (conditions, one per line). */
export const lines = (value: unknown): string[] =>
  one(value)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
