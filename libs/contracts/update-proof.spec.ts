import { UpdateProofs } from '../crypto/update-proofs';
import { hasValidProof, proofOf, withProof } from './update-proof';

describe('update proofs', () => {
  const proofs = new UpdateProofs('a-test-update-proof-secret-of-enough-length');
  const key = proofs.keyFor('r-1');
  const decision = { party: 'hr', decision: 'approve', actorEmail: 'hr@example.com', round: 1, onBehalfOf: undefined };

  it('should derive one stable key per request from the secret', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(proofs.keyFor('r-1')).toBe(key);
    expect(proofs.keyFor('r-2')).not.toBe(key);
    expect(new UpdateProofs('another-test-update-proof-secret-of-length').keyFor('r-1')).not.toBe(key);
  });

  it('should accept what the API signed, whatever the key order and undefined members', () => {
    const signed = proofs.sign('r-1', 'decide', decision);
    expect(hasValidProof(key, 'decide', signed)).toBe(true);
    // What the workflow receives went through JSON: undefined members are gone, order may differ.
    const received = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse())));
    expect(hasValidProof(key, 'decide', received)).toBe(true);
  });

  it('should refuse a missing, malformed or made-up proof', () => {
    expect(hasValidProof(key, 'decide', decision)).toBe(false);
    expect(hasValidProof(key, 'decide', { ...decision, proof: 'nope' })).toBe(false);
    expect(hasValidProof(key, 'decide', { ...decision, proof: '0'.repeat(64) })).toBe(false);
    expect(hasValidProof(key, 'decide', null)).toBe(false);
    expect(hasValidProof(key, 'decide', [decision])).toBe(false);
  });

  it('should refuse a proof moved to other content, another message or another request', () => {
    const signed = withProof(key, 'decide', decision);
    expect(hasValidProof(key, 'decide', { ...signed, actorEmail: 'nobody@evil.test' })).toBe(false);
    expect(hasValidProof(key, 'decide', { ...signed, round: 2 })).toBe(false);
    expect(hasValidProof(key, 'withdraw', signed)).toBe(false);
    expect(hasValidProof(proofs.keyFor('r-2'), 'decide', signed)).toBe(false);
  });

  it('should leave an existing proof out of what it signs', () => {
    expect(proofOf(key, 'decide', { ...decision, proof: 'old' })).toBe(proofOf(key, 'decide', decision));
  });
});
