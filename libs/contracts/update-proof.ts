/**
 * Proof that an Update (or a signal) comes from the Clearance API. Imported by workflow code: pure
 * JavaScript (`@noble/hashes`), synchronous and deterministic, so an Update validator can use it.
 *
 * The API holds a secret (UPDATE_PROOF_SECRET) and derives from it one proof key per request,
 * which it puts in the workflow's input at start. Every payload the API sends is encrypted by the
 * payload codec, so the key is unreadable to anyone with only network reach to Temporal. Each
 * Update the API sends carries `proof = HMAC-SHA256(proofKey, name ‖ "\n" ‖ canonical JSON of the
 * input without its proof)`; the message name is in the MAC so a proof made for one message does
 * not fit another of the same shape.
 */
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from '../persistence/canonical-json';

/** The label the API's secret is keyed with to derive a request's proof key (libs/crypto/update-proofs.ts). */
export const UPDATE_PROOF_LABEL = 'clearance/update-proof/v1:';

/** What every message the API signs may carry. */
export interface Proven {
  /** Hex HMAC-SHA256 by the request's proof key; absent from messages sent before proofs existed. */
  proof?: string;
}

const HEX_64 = /^[0-9a-f]{64}$/;

function mac(proofKey: string, message: string, input: object): Uint8Array {
  const { proof: _ignored, ...signed } = input as Proven & Record<string, unknown>;
  return hmac(sha256, hexToBytes(proofKey), utf8ToBytes(`${message}\n${canonicalJson(signed)}`));
}

/** The proof of one message's input (any `proof` it already carries is left out). */
export function proofOf(proofKey: string, message: string, input: object): string {
  return bytesToHex(mac(proofKey, message, input));
}

/** The input with its proof. */
export function withProof<T extends object>(proofKey: string, message: string, input: T): T & Proven {
  return { ...input, proof: proofOf(proofKey, message, input) };
}

/** True when the input carries the proof of this message made with this key (compared in constant time). */
export function hasValidProof(proofKey: string, message: string, input: unknown): boolean {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const proof = (input as Proven).proof;
  if (typeof proof !== 'string' || !HEX_64.test(proof)) return false;
  let expected: Uint8Array;
  try {
    expected = mac(proofKey, message, input);
  } catch {
    return false; // not representable as canonical JSON: not something the API sent
  }
  const given = hexToBytes(proof);
  let difference = 0;
  for (let i = 0; i < expected.length; i += 1) difference |= expected[i] ^ given[i];
  return difference === 0;
}
