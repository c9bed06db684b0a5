import { createHmac, randomBytes } from 'node:crypto';
import { ChainMac } from './chain-mac';

describe('ChainMac', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const hash = 'a'.repeat(64);

  it('should sign with the first key: HMAC-SHA256 over a label and the row hash', () => {
    const mac = new ChainMac({
      keys: [
        { id: 'k2', key: k2 },
        { id: 'k1', key: k1 },
      ],
      activeKeyId: 'k2',
    });
    expect(mac.sign(hash)).toEqual({
      keyId: 'k2',
      mac: createHmac('sha256', k2).update(`clearance audit chain v1\n${hash}`).digest('hex'),
    });
  });

  it('should verify rows signed under an older key and name a key it does not hold', () => {
    const old = new ChainMac({ keys: [{ id: 'k1', key: k1 }], activeKeyId: 'k1' }).sign(hash);
    const rotated = new ChainMac({
      keys: [
        { id: 'k2', key: k2 },
        { id: 'k1', key: k1 },
      ],
      activeKeyId: 'k2',
    });
    expect(rotated.check(hash, old.keyId, old.mac)).toBe('valid');
    expect(rotated.check('b'.repeat(64), old.keyId, old.mac)).toBe('invalid');
    expect(rotated.check(hash, 'k2', old.mac)).toBe('invalid');
    expect(rotated.check(hash, 'k1', 'not hex')).toBe('invalid');
    expect(rotated.check(hash, 'k9', old.mac)).toBe('unknown-key');
  });

  it('should refuse an active key it does not hold', () => {
    expect(() => new ChainMac({ keys: [{ id: 'k1', key: k1 }], activeKeyId: 'k2' })).toThrow(/"k2" is not configured/);
  });
});
