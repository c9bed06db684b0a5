import { createHash } from 'node:crypto';

/** One AES-256 key of the keyring, named by the id stored next to everything it sealed. */
export interface EncryptionKey {
  id: string;
  /** Exactly 32 bytes. */
  key: Buffer;
}

export interface EncryptionConfig {
  keys: EncryptionKey[];
  /** The key that seals new data; every other key only opens what it sealed before. */
  activeKeyId: string;
  /** True when no ENCRYPTION_KEYS were given and the fixed, public dev key is in use (never in production). */
  devKey: boolean;
}

/** Id of the dev/test key used when ENCRYPTION_KEYS is unset outside production. */
export const DEV_ENCRYPTION_KEY_ID = 'dev-1';

/**
 * DEV ONLY, NOT SECRET: derived from a published string so development and tests work with no
 * configuration. Production refuses to start without ENCRYPTION_KEYS, so this never seals real data.
 */
const DEV_ENCRYPTION_KEY = createHash('sha256').update('clearance dev-only encryption key, not secret').digest();

/** True for the published dev key, which production refuses under any id. */
export function isDevEncryptionKey(key: Buffer): boolean {
  return key.equals(DEV_ENCRYPTION_KEY);
}

export function isDevAuditChainKey(key: Buffer): boolean {
  return key.equals(DEV_AUDIT_CHAIN_KEY);
}

/** Key ids are stored in columns and Temporal metadata: letters, digits, `.`, `_`, `-`; at most 64. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Id of the dev/test audit chain key used when AUDIT_CHAIN_KEYS is unset outside production. */
export const DEV_AUDIT_CHAIN_KEY_ID = 'dev-audit-1';

/** DEV ONLY, NOT SECRET, like DEV_ENCRYPTION_KEY: production refuses to start without AUDIT_CHAIN_KEYS. */
const DEV_AUDIT_CHAIN_KEY = createHash('sha256').update('clearance dev-only audit chain key, not secret').digest();

/**
 * Parses `ENCRYPTION_KEYS` (`keyId:base64key,keyId:base64key`, each key exactly 32 bytes) and
 * `ENCRYPTION_ACTIVE_KEY_ID` (one of those ids; default the first). Returns every problem found,
 * never a key in a message.
 */
export function parseEncryptionKeys(
  rawKeys: string | undefined,
  activeKeyId: string | undefined,
): { config: EncryptionConfig | null; problems: string[] } {
  return parseKeyList(rawKeys, activeKeyId, {
    variable: 'ENCRYPTION_KEYS',
    activeVariable: 'ENCRYPTION_ACTIVE_KEY_ID',
    devKey: { id: DEV_ENCRYPTION_KEY_ID, key: DEV_ENCRYPTION_KEY },
  });
}

/**
 * Parses `AUDIT_CHAIN_KEYS`: the HMAC keys of the audit chain, in the form of ENCRYPTION_KEYS. The
 * first key signs new rows; the others only verify rows signed before a rotation. A separate
 * secret from ENCRYPTION_KEYS: an auditor can hold it without being able to read passport
 * numbers, and retiring an encryption key never makes old audit rows unverifiable.
 */
export function parseAuditChainKeys(rawKeys: string | undefined): {
  config: EncryptionConfig | null;
  problems: string[];
} {
  return parseKeyList(rawKeys, undefined, {
    variable: 'AUDIT_CHAIN_KEYS',
    activeVariable: 'AUDIT_CHAIN_KEYS',
    devKey: { id: DEV_AUDIT_CHAIN_KEY_ID, key: DEV_AUDIT_CHAIN_KEY },
  });
}

function parseKeyList(
  rawKeys: string | undefined,
  activeKeyId: string | undefined,
  names: { variable: string; activeVariable: string; devKey: EncryptionKey },
): { config: EncryptionConfig | null; problems: string[] } {
  const { variable, activeVariable, devKey } = names;
  if (rawKeys === undefined || rawKeys.trim() === '') {
    if (activeKeyId !== undefined && activeKeyId !== devKey.id) {
      return {
        config: null,
        problems: [`${activeVariable}: "${activeKeyId}" is not a key of ${variable} (which is unset)`],
      };
    }
    return { config: { keys: [devKey], activeKeyId: devKey.id, devKey: true }, problems: [] };
  }
  const problems: string[] = [];
  const keys: EncryptionKey[] = [];
  for (const [index, entry] of rawKeys.split(',').entries()) {
    const where = `${variable}: entry ${index + 1}`;
    const colon = entry.indexOf(':');
    const id = entry.slice(0, Math.max(colon, 0)).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (colon < 0) problems.push(`${where} is not keyId:base64key`);
    else if (!KEY_ID.test(id)) problems.push(`${where}: key id "${id}" must be 1-64 letters, digits, ".", "_" or "-"`);
    else if (keys.some((k) => k.id === id)) problems.push(`${where}: key id "${id}" appears twice`);
    else if (!BASE64.test(encoded) || Buffer.from(encoded, 'base64').length !== 32) {
      problems.push(`${where}: key "${id}" must be exactly 32 bytes, base64-encoded (npm run keys -- generate)`);
    } else keys.push({ id, key: Buffer.from(encoded, 'base64') });
  }
  if (problems.length > 0) return { config: null, problems };
  const active = activeKeyId ?? keys[0].id;
  if (!keys.some((k) => k.id === active)) {
    return {
      config: null,
      problems: [`${activeVariable}: "${active}" is not a key of ${variable} (${keys.map((k) => k.id).join(', ')})`],
    };
  }
  return { config: { keys, activeKeyId: active, devKey: false }, problems: [] };
}
