import type { Refusal, RefusalCode } from '@libs/domain/refusals';

/**
 * Refusals only the API gives: about the HTTP call itself, or rules that need the database
 * (directory, passports, delegations) and so are checked before anything reaches a workflow.
 */
export const API_ONLY_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'NOT_PARTY_MEMBER',
  'NO_PASSPORT_IN_CUSTODY',
  'TRAVEL_REQUEST_NOT_APPROVED',
  'DELEGATION_CHAIN',
  'PARTY_HAS_REVIEWERS',
  'IDEMPOTENCY_KEY_REUSED',
  'DESTINATION_BLOCKED',
  // The restricted-party list: an entry with the same identity is already on it; an entry already removed.
  'SCREENING_ENTRY_DUPLICATE',
  'SCREENING_ENTRY_REMOVED',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
] as const;
export type ApiOnlyCode = (typeof API_ONLY_CODES)[number];

/** Every code the API answers with: the domain's and workflows' refusals, and its own. */
export type ErrorCode = RefusalCode | ApiOnlyCode;

/**
 * Every code mapped to an HTTP status in one place (the exception filter reads it). Typed as a
 * Record, so a refusal code added to the domain without a status here does not compile.
 */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  COMMENT_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  REQUESTER_CANNOT_DECIDE: 403,
  DECIDED_FOR_ANOTHER_PARTY: 403,
  NOT_PARTY_MEMBER: 403,
  NOT_REQUESTER: 403,
  CONFLICT_OF_INTEREST: 403,
  ALREADY_APPROVED: 409,
  OBLIGATION_NOT_OPEN: 409,
  PASSPORT_IN_CUSTODY: 409,
  PASSPORT_NOT_READY: 409,
  ROUND_CHANGED: 409,
  // Only reachable if a workflow refused something the API sent: its proof key does not match the API's.
  UPDATE_NOT_FROM_API: 403,
  NO_PASSPORT_IN_CUSTODY: 409,
  TRAVEL_REQUEST_NOT_APPROVED: 409,
  DELEGATION_CHAIN: 400,
  NOT_FOUND: 404,
  PARTY_NOT_AWAITING: 409,
  PARTY_NOT_IN_REQUEST: 409,
  PARTY_HAS_REVIEWERS: 409,
  REQUEST_NOT_PENDING: 409,
  REQUEST_NOT_AMENDABLE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  DESTINATION_BLOCKED: 422,
  SCREENING_ENTRY_DUPLICATE: 409,
  SCREENING_ENTRY_REMOVED: 409,
  PAYLOAD_TOO_LARGE: 413,
  AUTHORIZATION_NOT_REQUIRED: 409,
  AUTHORIZATION_NOT_OPEN: 409,
  MATERIAL_NOT_DECLARED: 404,
  UNAVAILABLE: 503,
};

export interface FieldError {
  field: string;
  messages: string[];
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
    /** More of the answer's body (a blocked destination's reason and whom to contact). */
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The API's answer to a refusal of a domain rule. */
  static refused(refusal: Refusal): DomainError {
    return new DomainError(refusal.code, refusal.message);
  }

  static validation(fields: FieldError[]): DomainError {
    return new DomainError('VALIDATION_FAILED', `invalid fields: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
}
