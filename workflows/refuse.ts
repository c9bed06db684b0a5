import { ApplicationFailure } from '@temporalio/workflow';
import type { Refusal, RefusalCode } from '@libs/domain/refusals';

/**
 * Refuses an Update from its validator: nothing is written to the history, and the API turns the
 * failure's type (a code of the one refusal vocabulary) into its HTTP status.
 */
export function refuse(code: RefusalCode, message: string): never {
  throw ApplicationFailure.nonRetryable(message, code);
}

/** Refuses when a domain rule gives a refusal; does nothing when it gives null. */
export function refuseIf(refusal: Refusal | null): void {
  if (refusal) refuse(refusal.code, refusal.message);
}
