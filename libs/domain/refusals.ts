/**
 * The one vocabulary of refusals a rule of a request can give: the domain checks return these
 * codes, the workflows refuse Updates with them (as the `type` of a non-retryable
 * ApplicationFailure), and the API maps each to an HTTP status in one table, which fails to
 * compile when a code has no status (apps/api/common/domain-error.ts).
 */
export const REFUSAL_CODES = [
  'REQUEST_NOT_PENDING',
  'REQUEST_NOT_AMENDABLE',
  'REQUESTER_CANNOT_DECIDE',
  'NOT_REQUESTER',
  'PARTY_NOT_IN_REQUEST',
  'PARTY_NOT_AWAITING',
  'DECIDED_FOR_ANOTHER_PARTY',
  'ALREADY_APPROVED',
  'COMMENT_REQUIRED',
  'CONFLICT_OF_INTEREST',
  'OBLIGATION_NOT_OPEN',
  'PASSPORT_IN_CUSTODY',
  'PASSPORT_NOT_READY',
  'ROUND_CHANGED',
  'UPDATE_NOT_FROM_API',
  'AUTHORIZATION_NOT_REQUIRED',
  'AUTHORIZATION_NOT_OPEN',
  'MATERIAL_NOT_DECLARED',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Why something is refused, in words the caller sees unchanged. */
export interface Refusal {
  code: RefusalCode;
  message: string;
}

export function isRefusalCode(code: string | undefined | null): code is RefusalCode {
  return !!code && (REFUSAL_CODES as readonly string[]).includes(code);
}
