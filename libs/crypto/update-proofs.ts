import { createHmac, timingSafeEqual } from 'node:crypto';
import { UPDATE_PROOF_LABEL, withProof, type Proven } from '../contracts/update-proof';

/**
 * The API's side of update proofs (libs/contracts/update-proof.ts): derives each request's proof
 * key from UPDATE_PROOF_SECRET, and signs the Updates the API sends. A workflow verifies Updates
 * with the key in its own input; the worker holds the secret only to check, at submission, that the
 * key a workflow was started with is the API's (so a workflow started from outside records nothing).
 */
export class UpdateProofs {
  constructor(private readonly secret: string) {}

  /** `HMAC-SHA256(secret, 'clearance/update-proof/v1:' + requestId)`, hex: the request's proof key. */
  keyFor(requestId: string): string {
    return createHmac('sha256', this.secret).update(`${UPDATE_PROOF_LABEL}${requestId}`).digest('hex');
  }

  /** Whether `key` is this request's proof key (constant time). */
  isKeyOf(requestId: string, key: string | undefined): boolean {
    const expected = Buffer.from(this.keyFor(requestId), 'hex');
    const given = Buffer.from(key ?? '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The input with the proof of the request's key for this message. */
  sign<T extends object>(requestId: string, message: string, input: T): T & Proven {
    return withProof(this.keyFor(requestId), message, input);
  }
}
