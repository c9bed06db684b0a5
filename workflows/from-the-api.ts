import { hasValidProof } from '@libs/contracts';
import { refuse } from './refuse';

/**
 * Only the API may change a request: every Update it sends carries a proof made with the request's
 * proof key, which sits (encrypted) in the workflow's input (libs/contracts/update-proof.ts). A
 * validator asks this before anything else, so a forged Update is refused and leaves no trace.
 *
 * Workflows started before proofs existed have no key in their input: they keep the rules they
 * started with (the check is keyed on the input, so their histories replay unchanged).
 */
export function refuseUnlessFromTheApi(proofKey: string | undefined, message: string, input: unknown): void {
  if (!isFromTheApi(proofKey, message, input)) {
    refuse('UPDATE_NOT_FROM_API', `this ${message} did not come from the Clearance API; nothing was recorded`);
  }
}

/** The same test for a signal, which cannot be refused: its handler ignores what fails it. */
export function isFromTheApi(proofKey: string | undefined, message: string, input: unknown): boolean {
  return proofKey === undefined || hasValidProof(proofKey, message, input);
}
