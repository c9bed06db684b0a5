import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EncryptionConfig } from '../config';

/** What a row's MAC check found: it verifies, it does not, or its key is not configured here. */
export type ChainMacCheck = 'valid' | 'invalid' | 'unknown-key';

/**
 * The key of the audit chain (AUDIT_CHAIN_KEYS): HMAC-SHA256 over a row's hash. The hash already
 * covers the row's seq, content and link to the row before, so the MAC binds all of it to a secret
 * that never enters the database: someone who can only write to the database can re-hash rows,
 * but cannot sign them. The first key signs; the others still verify rows signed before a rotation.
 */
export class ChainMac {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKeyId: string;

  constructor(config: Pick<EncryptionConfig, 'keys' | 'activeKeyId'>) {
    this.keys = new Map(config.keys.map(({ id, key }) => [id, Buffer.from(key)]));
    if (!this.keys.has(config.activeKeyId)) {
      throw new Error(`the active audit chain key "${config.activeKeyId}" is not configured`);
    }
    this.activeKeyId = config.activeKeyId;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The MAC of a row hash under the active key, hex, with that key's id. */
  sign(hash: string): { keyId: string; mac: string } {
    return { keyId: this.activeKeyId, mac: hmac(this.keys.get(this.activeKeyId)!, hash) };
  }

  check(hash: string, keyId: string, mac: string): ChainMacCheck {
    const key = this.keys.get(keyId);
    if (!key) return 'unknown-key';
    const expected = Buffer.from(hmac(key, hash), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  }
}

/** A fixed label keeps these MACs apart from any other use of the same bytes. */
function hmac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(`clearance audit chain v1\n${hash}`).digest('hex');
}
