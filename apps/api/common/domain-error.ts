/** Every refusal the API can answer, mapped to an HTTP status in one place (the exception filter). */
export const ERROR_STATUS = {
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
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  messages: string[];
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  static validation(fields: FieldError[]): DomainError {
    return new DomainError('VALIDATION_FAILED', `invalid fields: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
}

export function isErrorCode(code: string | undefined | null): code is ErrorCode {
  return !!code && code in ERROR_STATUS;
}
