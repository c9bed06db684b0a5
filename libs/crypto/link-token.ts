import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import type { Party } from '../domain/vocabulary';
import { PARTIES } from '../domain/vocabulary';

/** What an approval link is good for: one party's decision on one request, by one recipient, in one round. */
export interface LinkClaims {
  requestId: string;
  party: Party;
  recipient: string;
  round: number;
  /** Set when the recipient is a delegate standing in for this absent approver. */
  onBehalfOf?: string;
}

export type LinkTokenProblem = 'expired' | 'invalid';

export class LinkTokenError extends Error {
  constructor(
    readonly problem: LinkTokenProblem,
    message: string,
  ) {
    super(message);
    this.name = 'LinkTokenError';
  }
}

const ISSUER = 'clearance';
const AUDIENCE = 'clearance:approval-link';

/** Signs and verifies approval-link tokens (HS256 JWTs) with a secret from configuration. */
export class LinkTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttl: string = '7d',
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: LinkClaims): Promise<{ token: string; expiresAt: Date }> {
    const token = await new SignJWT({
      rid: claims.requestId,
      pty: claims.party,
      rnd: claims.round,
      ...(claims.onBehalfOf ? { obo: claims.onBehalfOf.toLowerCase() } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(claims.recipient.toLowerCase())
      .setIssuedAt()
      .setExpirationTime(this.ttl)
      .sign(this.key);
    return { token, expiresAt: new Date((decodeJwt(token).exp ?? 0) * 1000) };
  }

  async verify(token: string, now: Date = new Date()): Promise<LinkClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: now,
      });
      const { rid, pty, rnd, sub, obo } = payload as Record<string, unknown>;
      if (
        typeof rid !== 'string' ||
        typeof sub !== 'string' ||
        typeof rnd !== 'number' ||
        !PARTIES.includes(pty as Party)
      ) {
        throw new LinkTokenError('invalid', 'the link is not a valid approval link');
      }
      if (obo !== undefined && typeof obo !== 'string')
        throw new LinkTokenError('invalid', 'the link is not a valid approval link');
      return { requestId: rid, party: pty as Party, recipient: sub, round: rnd, ...(obo ? { onBehalfOf: obo } : {}) };
    } catch (error) {
      if (error instanceof LinkTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new LinkTokenError('expired', 'the link has expired');
      throw new LinkTokenError('invalid', 'the link is not a valid approval link');
    }
  }
}
