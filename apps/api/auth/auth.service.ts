import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { AppConfig } from '@libs/config';
import type { Person } from '@libs/domain/person';
import { DirectoryRepository } from '@libs/persistence';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../common/tokens';

const DEV_ISSUER = 'clearance-dev';
const DEV_AUDIENCE = 'clearance';

/**
 * Who is calling. Production verifies the organisation's JWTs against its JWKS, issuer and
 * audience; dev mode also signs and verifies its own short-lived tokens for the seeded directory.
 * Either way the caller must be a person of the directory, whose roles and parties apply.
 */
@Injectable()
export class AuthService {
  private readonly devKey: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: DirectoryRepository,
  ) {
    this.devKey = new TextEncoder().encode(config.auth.devSecret);
    if (config.auth.jwksUrl) this.jwks = createRemoteJWKSet(new URL(config.auth.jwksUrl));
  }

  async devLogin(email: string): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    if (!this.config.devMode) throw new DomainError('NOT_FOUND', 'not found');
    const person = await this.directory.findPerson(email);
    if (!person) throw new DomainError('UNAUTHENTICATED', 'no such person in the directory');
    const expiresIn = 8 * 3600;
    const accessToken = await new SignJWT({ email: person.email, name: person.name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject(person.email)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(this.devKey);
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }

  /**
   * Resolves a bearer token to a person of the directory, or throws UNAUTHENTICATED. The person is
   * named by the email claim alone (never the subject, which a provider may let users choose), and
   * a provider's token counts only when it says the email was verified.
   */
  async authenticate(token: string): Promise<Person> {
    const { payload, fromProvider } = await this.verify(token);
    const claim = fromProvider ? payload[this.config.auth.emailClaim] : payload.email;
    if (fromProvider && this.config.auth.requireEmailVerified && payload.email_verified !== true)
      throw new DomainError('UNAUTHENTICATED', 'the identity provider has not verified this email');
    const person = typeof claim === 'string' ? await this.directory.findPerson(claim) : null;
    if (!person) throw new DomainError('UNAUTHENTICATED', 'the token names nobody in the directory');
    return person;
  }

  private async verify(token: string): Promise<{ payload: JWTPayload; fromProvider: boolean }> {
    if (this.config.devMode) {
      try {
        const { payload } = await jwtVerify(token, this.devKey, {
          issuer: DEV_ISSUER,
          audience: DEV_AUDIENCE,
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
        });
        return { payload, fromProvider: false };
      } catch {
        if (!this.jwks) throw new DomainError('UNAUTHENTICATED', 'invalid or expired token');
      }
    }
    if (!this.jwks) throw new DomainError('UNAUTHENTICATED', 'no identity provider is configured');
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        algorithms: this.config.auth.algorithms,
        requiredClaims: ['exp'],
      });
      return { payload, fromProvider: true };
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'invalid or expired token');
    }
  }
}
