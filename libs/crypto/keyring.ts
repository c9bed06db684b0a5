import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptionConfig } from '../config';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export type KeyringProblem = 'unknown-key' | 'unauthentic';

/** A ciphertext that cannot be opened: its key is not configured, or it (or its AAD) was altered. */
export class KeyringError extends Error {
  constructor(
    readonly problem: KeyringProblem,
    message: string,
  ) {
    super(message);
    this.name = 'KeyringError';
  }
}

export interface Sealed {
  keyId: string;
  /** base64 of iv (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes). */
  ciphertext: string;
}

type Bytes = Buffer | Uint8Array | string;
const toBuffer = (value: Bytes): Buffer =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.length);

/**
 * AES-256-GCM with named, rotating keys (ENCRYPTION_KEYS). `seal` always uses the active key and
 * returns its id, which must be stored with the ciphertext; `open` uses whichever key that id
 * names, so data sealed before a rotation keeps opening for as long as its key stays configured.
 * Every seal draws a fresh random 12-byte IV; the 16-byte tag authenticates the ciphertext and the
 * optional additional authenticated data (AAD), which must be the same to open.
 */
export class Keyring {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKeyId: string;

  constructor(config: Pick<EncryptionConfig, 'keys' | 'activeKeyId'>) {
    for (const { id, key } of config.keys) {
      if (key.length !== KEY_BYTES) throw new Error(`encryption key "${id}" is ${key.length} bytes, not ${KEY_BYTES}`);
    }
    this.keys = new Map(config.keys.map(({ id, key }) => [id, Buffer.from(key)]));
    if (!this.keys.has(config.activeKeyId)) {
      throw new Error(`the active encryption key "${config.activeKeyId}" is not in the keyring`);
    }
    this.activeKeyId = config.activeKeyId;
  }

  /** Ids of every configured key, the active one included. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Seals with the active key: `{keyId, ciphertext}` with the ciphertext in base64. */
  seal(plaintext: Bytes, aad?: Bytes): Sealed {
    const { keyId, sealed } = this.sealBytes(plaintext, aad);
    return { keyId, ciphertext: sealed.toString('base64') };
  }

  /** Opens a base64 ciphertext (or its raw bytes) sealed under `keyId`; throws KeyringError otherwise. */
  open(keyId: string, ciphertext: string | Uint8Array, aad?: Bytes): Buffer {
    return this.openBytes(keyId, typeof ciphertext === 'string' ? Buffer.from(ciphertext, 'base64') : ciphertext, aad);
  }

  /** Like seal, with the raw iv ‖ ciphertext ‖ tag bytes (the payload codec stores bytes). */
  sealBytes(plaintext: Bytes, aad?: Bytes): { keyId: string; sealed: Buffer } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(this.activeKeyId)!, iv, { authTagLength: TAG_BYTES });
    if (aad !== undefined) cipher.setAAD(toBuffer(aad));
    const body = Buffer.concat([cipher.update(toBuffer(plaintext)), cipher.final()]);
    return { keyId: this.activeKeyId, sealed: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  /**
   * HMAC-SHA256 (hex) of `data` under a subkey of `keyId` derived for `purpose` (HKDF-SHA256).
   * Deterministic, unlike seal: equal values give equal MACs under one key, so sealed values can be
   * compared by their MACs without opening any. The purpose keeps each use's subkey apart.
   */
  mac(keyId: string, purpose: string, data: Bytes): string {
    const key = this.keys.get(keyId);
    if (!key) {
      throw new KeyringError(
        'unknown-key',
        `no encryption key "${keyId}" is configured (ENCRYPTION_KEYS holds: ${this.keyIds.join(', ')})`,
      );
    }
    const subkey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `clearance:${purpose}`, KEY_BYTES));
    return createHmac('sha256', subkey).update(toBuffer(data)).digest('hex');
  }

  openBytes(keyId: string, sealed: Uint8Array, aad?: Bytes): Buffer {
    const key = this.keys.get(keyId);
    if (!key) {
      throw new KeyringError(
        'unknown-key',
        `no encryption key "${keyId}" is configured (ENCRYPTION_KEYS holds: ${this.keyIds.join(', ')})`,
      );
    }
    const bytes = toBuffer(sealed);
    if (bytes.length < IV_BYTES + TAG_BYTES) {
      throw new KeyringError('unauthentic', `the ciphertext sealed under "${keyId}" is too short to be one`);
    }
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    if (aad !== undefined) decipher.setAAD(toBuffer(aad));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new KeyringError(
        'unauthentic',
        `the ciphertext does not authenticate under key "${keyId}": it, its key or its context (AAD) differs`,
      );
    }
  }
}

/** A new random key in the `keyId:base64key` form of ENCRYPTION_KEYS. */
export function generateKeyEntry(keyId: string): string {
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
