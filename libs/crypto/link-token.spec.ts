import { LinkTokenError, LinkTokens } from './link-token';

const claims = {
  requestId: '1e67d2cf-96b4-4e78-a621-589b7f4dcd84',
  party: 'hr' as const,
  recipient: 'HR@example.com',
  round: 2,
};

describe('LinkTokens', () => {
  const tokens = new LinkTokens('a-test-secret-that-is-long-enough-for-hs256');

  it('should round-trip the request, party, recipient (lower-cased) and round', async () => {
    const { token, expiresAt } = await tokens.sign(claims);
    await expect(tokens.verify(token)).resolves.toEqual({ ...claims, recipient: 'hr@example.com' });
    const days = (expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
  });

  it('should refuse a tampered token as invalid', async () => {
    const { token } = await tokens.sign(claims);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), pty: 'legal' }),
    ).toString('base64url');
    await expect(tokens.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({ problem: 'invalid' });
    await expect(tokens.verify(`${token.slice(0, -2)}xx`)).rejects.toBeInstanceOf(LinkTokenError);
    await expect(tokens.verify('not-a-token')).rejects.toMatchObject({ problem: 'invalid' });
  });

  it('should refuse a token signed with another secret', async () => {
    const { token } = await new LinkTokens('another-secret-that-is-long-enough-for-hs256').sign(claims);
    await expect(tokens.verify(token)).rejects.toMatchObject({ problem: 'invalid' });
  });

  it('should report an expired token as expired', async () => {
    const { token } = await tokens.sign(claims);
    const eightDaysLater = new Date(Date.now() + 8 * 86_400_000);
    await expect(tokens.verify(token, eightDaysLater)).rejects.toMatchObject({ problem: 'expired' });
  });

  it('should honour a configured lifetime', async () => {
    const { expiresAt } = await new LinkTokens('a-test-secret-that-is-long-enough-for-hs256', '2h').sign(claims);
    expect(Math.round((expiresAt.getTime() - Date.now()) / 3_600_000)).toBe(2);
  });
});
