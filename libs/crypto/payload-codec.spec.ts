import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { Keyring } from './keyring';
import { ENCRYPTED_ENCODING, EncryptionCodec, METADATA_ENCRYPTION_KEY_ID } from './payload-codec';

const keyA = { id: 'key-a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-a' }));
  const value = { purpose: 'Meet the Zanzibar Quantum Consortium', counterparties: [{ name: 'Zanzibar Quantum' }] };
  const plain = defaultPayloadConverter.toPayload(value);

  it('should encrypt every payload under the active key and give back the original', async () => {
    const encoded = await codec.encode([plain, defaultPayloadConverter.toPayload(null)]);
    expect(encoded).toHaveLength(2);
    for (const payload of encoded) {
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual([METADATA_ENCODING_KEY, METADATA_ENCRYPTION_KEY_ID]);
      expect(text(payload.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(text(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('key-a');
      expect(text(payload.data)).not.toContain('Zanzibar');
      expect(text(payload.data)).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(defaultPayloadConverter.fromPayload(decoded[0])).toEqual(value);
    expect(defaultPayloadConverter.fromPayload(decoded[1])).toBeNull();
    expect(text(decoded[0].metadata?.[METADATA_ENCODING_KEY])).toBe('json/plain');
  });

  it('should pass through payloads that are not encrypted (histories from before encryption)', async () => {
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
    await expect(codec.decode([])).resolves.toEqual([]);
  });

  it('should decrypt with the key named in the metadata after a rotation', async () => {
    const [underA] = await codec.encode([plain]);
    const rotated = new EncryptionCodec(new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-b' }));
    const [underB] = await rotated.encode([plain]);
    expect(text(underB.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('key-b');
    const decoded = await rotated.decode([underA, underB]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([value, value]);
  });

  it('should reject tampered data, an unknown key and a missing key id', async () => {
    const [encoded] = await codec.encode([plain]);
    const data = Buffer.from(encoded.data!);
    data[20] ^= 0x01;
    const tampered: Payload = { ...encoded, data };
    await expect(codec.decode([tampered])).rejects.toThrow(/does not authenticate/);
    const onlyB = new EncryptionCodec(new Keyring({ keys: [keyB], activeKeyId: 'key-b' }));
    await expect(onlyB.decode([encoded])).rejects.toThrow(/no encryption key "key-a"/);
    const noKeyId: Payload = { ...encoded, metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING) } };
    await expect(codec.decode([noKeyId])).rejects.toThrow(/no encryption-key-id/);
  });
});
