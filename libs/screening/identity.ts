import { createHash } from 'node:crypto';
import { coreTokens } from './normalize';

/**
 * What makes two entries of the restricted-party list the same entry: the name as the matcher
 * compares it (case, diacritics, punctuation, word order, abbreviations, legal forms and connecting
 * words do not count: "ACME Quantum Research Inst." is "Research Institute, ACME Quantum Ltd"),
 * the country and the source (case and spacing of the source do not count). Two such entries would
 * give one counterparty the same hit twice, so the list keeps one of them.
 */
export function entryIdentity(entry: { name: string; country: string | null; source: string }): string {
  return [
    coreTokens(entry.name).join(' '),
    entry.country?.trim().toUpperCase() ?? '',
    entry.source.trim().replace(/\s+/g, ' ').toLowerCase(),
  ].join('\n');
}

/**
 * The stored form of `entryIdentity`: its SHA-256, hex. Fixed length (a normalised name can be
 * longer than the name, abbreviations expanded), so it fits a unique index on both databases.
 */
export function entryIdentityKey(entry: { name: string; country: string | null; source: string }): string {
  return createHash('sha256').update(entryIdentity(entry)).digest('hex');
}
