import { randomBytes } from 'node:crypto';
import { generateKeyEntry, Keyring, KeyringError } from './keyring';
import { openPassportNumber, sealPassportNumber } from './passport-number';

const keyA = { id: 'key-a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };

describe('Keyring', () => {
  const keyring = new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-a' });

  it('should round-trip text and bytes under the active key, with a fresh IV each time', () => {
    const first = keyring.seal('P1234567');
    const second = keyring.seal('P1234567');
    expect(first.keyId).toBe('key-a');
    expect(first.ciphertext).not.toEqual(second.ciphertext);
    expect(Buffer.from(first.ciphertext, 'base64')).toHaveLength(12 + 8 + 16);
    expect(keyring.open(first.keyId, first.ciphertext).toString()).toBe('P1234567');
    const bytes = randomBytes(100);
    const sealed = keyring.sealBytes(bytes, 'context');
    expect(keyring.openBytes(sealed.keyId, sealed.sealed, 'context').equals(bytes)).toBe(true);
    expect(keyring.open(sealed.keyId, sealed.sealed, 'context').equals(bytes)).toBe(true);
  });

  it('should refuse a tampered ciphertext, tag or IV, and a different AAD', () => {
    const { keyId, ciphertext } = keyring.seal('P1234567', 'passport-1');
    const raw = Buffer.from(ciphertext, 'base64');
    for (const index of [0, 12, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] ^= 0x01;
      expect(() => keyring.open(keyId, tampered, 'passport-1')).toThrow(
        expect.objectContaining({ problem: 'unauthentic' }),
      );
    }
    expect(() => keyring.open(keyId, ciphertext, 'passport-2')).toThrow(KeyringError);
    expect(() => keyring.open(keyId, ciphertext)).toThrow(KeyringError);
    expect(() => keyring.open(keyId, 'c2hvcnQ=')).toThrow(/too short/);
  });

  it('should still open what an old key sealed after the active key changes', () => {
    const sealedUnderA = keyring.seal('before rotation');
    const rotated = new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-b' });
    expect(rotated.activeKeyId).toBe('key-b');
    expect(rotated.seal('after rotation').keyId).toBe('key-b');
    expect(rotated.open(sealedUnderA.keyId, sealedUnderA.ciphertext).toString()).toBe('before rotation');
  });

  it('should name an unknown key id clearly, and never open with the wrong key', () => {
    const sealedUnderA = keyring.seal('secret');
    const onlyB = new Keyring({ keys: [keyB], activeKeyId: 'key-b' });
    expect(() => onlyB.open('key-a', sealedUnderA.ciphertext)).toThrow(
      'no encryption key "key-a" is configured (ENCRYPTION_KEYS holds: key-b)',
    );
    expect(() => onlyB.open('key-b', sealedUnderA.ciphertext)).toThrow(
      expect.objectContaining({ problem: 'unauthentic' }),
    );
  });

  it('should refuse keys that are not 32 bytes and an active key it does not hold', () => {
    expect(() => new Keyring({ keys: [{ id: 'short', key: randomBytes(16) }], activeKeyId: 'short' })).toThrow(
      /16 bytes, not 32/,
    );
    expect(() => new Keyring({ keys: [keyA], activeKeyId: 'key-b' })).toThrow(/not in the keyring/);
  });

  it('should generate entries in the ENCRYPTION_KEYS form', () => {
    const [id, key] = generateKeyEntry('k-2031').split(':');
    expect(id).toBe('k-2031');
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
  });
});

describe('passport numbers', () => {
  const keyring = new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-a' });

  it('should seal a number to its row id and open it again', () => {
    const sealed = sealPassportNumber(keyring, 'passport-1', 'X9876543');
    expect(sealed.numberKeyId).toBe('key-a');
    expect(Buffer.from(sealed.numberCiphertext, 'base64').toString('latin1')).not.toContain('X9876543');
    expect(openPassportNumber(keyring, { id: 'passport-1', ...sealed })).toBe('X9876543');
  });

  it('should refuse a ciphertext moved to another row', () => {
    const sealed = sealPassportNumber(keyring, 'passport-1', 'X9876543');
    expect(() => openPassportNumber(keyring, { id: 'passport-2', ...sealed })).toThrow(KeyringError);
  });
});
