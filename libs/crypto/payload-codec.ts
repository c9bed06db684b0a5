import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './keyring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const utf8 = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * Encrypts every Temporal payload (workflow and activity inputs and results, Update arguments and
 * results, queries, memos, failure details) before it leaves the process, so the Temporal server and
 * its history hold only ciphertext. The whole original payload, metadata included, is
 * protobuf-encoded and sealed with the keyring's active key (AES-256-GCM, no AAD); the result is
 * `{metadata: {encoding: binary/encrypted, encryption-key-id: <id>}, data: iv ‖ ciphertext ‖ tag}`,
 * the layout of Temporal's encryption samples. decode() opens with the key the metadata names
 * (so rotation needs nothing but keeping the old key configured) and passes through payloads that
 * are not encrypted, so histories recorded before encryption still replay.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  /** Seals each payload with the active key (a Promise, as the interface wants; the work is synchronous). */
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encodeOne(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private encodeOne(payload: Payload): Payload {
    const { keyId, sealed } = this.keyring.sealBytes(temporal.api.common.v1.Payload.encode(payload).finish());
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [METADATA_ENCRYPTION_KEY_ID]: Buffer.from(keyId),
      },
      data: sealed,
    };
  }

  private decodeOne(payload: Payload): Payload {
    if (utf8(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = utf8(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]);
    if (!keyId) throw new ValueError(`an encrypted payload has no ${METADATA_ENCRYPTION_KEY_ID}`);
    if (!payload.data) throw new ValueError('an encrypted payload has no data');
    return temporal.api.common.v1.Payload.decode(this.keyring.openBytes(keyId, payload.data));
  }
}
