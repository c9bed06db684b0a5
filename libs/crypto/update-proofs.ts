import { createHmac } from 'node:crypto';
import { UPDATE_PROOF_LABEL, withProof, type Proven } from '../contracts/update-proof';

/**
 * The API's side of update proofs (libs/contracts/update-proof.ts): derives each request's proof
 * key from UPDATE_PROOF_SECRET, and signs the Updates the API sends. Only the API holds the secret;
 * the worker never needs it (a workflow verifies with the key in its own input).
 */
export class UpdateProofs {
  constructor(private readonly secret: string) {}

  /** `HMAC-SHA256(secret, 'clearance/update-proof/v1:' + requestId)`, hex: the request's proof key. */
  keyFor(requestId: string): string {
    return createHmac('sha256', this.secret).update(`${UPDATE_PROOF_LABEL}${requestId}`).digest('hex');
  }

  /** The input with the proof of the request's key for this message. */
  sign<T extends object>(requestId: string, message: string, input: T): T & Proven {
    return withProof(this.keyFor(requestId), message, input);
  }
}
