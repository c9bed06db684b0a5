import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { generators, Issuer, type BaseClient } from 'openid-client';
import type { AppConfig } from '@libs/config';
import { APP_CONFIG } from '../../api/common/tokens';

const FLOW_COOKIE = 'clearance_oidc';

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

/**
 * Production sign-in through the organisation's OpenID Connect provider: authorization code with
 * PKCE (openid-client). The provider's token becomes the session; the API checks it against the
 * same issuer, audience and JWKS as any bearer token, so pages and API share one set of roles.
 */
@Injectable()
export class OidcSignIn {
  private client?: Promise<BaseClient>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.oidc.issuerUrl && this.config.oidc.clientId);
  }

  get providerName(): string {
    return this.config.oidc.providerName;
  }

  private get redirectUri(): string {
    return `${this.config.publicUrl}/app/auth/callback`;
  }

  private discover(): Promise<BaseClient> {
    this.client ??= Issuer.discover(this.config.oidc.issuerUrl!).then(
      (issuer) =>
        new issuer.Client({
          client_id: this.config.oidc.clientId!,
          ...(this.config.oidc.clientSecret
            ? { client_secret: this.config.oidc.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
            : { token_endpoint_auth_method: 'none' }),
          redirect_uris: [this.redirectUri],
          response_types: ['code'],
        }),
    );
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }

  /** Sends the browser to the provider; the verifier, state and nonce wait in a short-lived httpOnly cookie. */
  async begin(res: Response, next: string): Promise<void> {
    const client = await this.discover();
    const flow: Flow = {
      verifier: generators.codeVerifier(),
      state: generators.state(),
      nonce: generators.nonce(),
      next,
    };
    res.cookie(FLOW_COOKIE, JSON.stringify(flow), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.publicUrl.startsWith('https://'),
      path: '/app/auth',
      maxAge: 10 * 60 * 1000,
    });
    res.redirect(
      303,
      client.authorizationUrl({
        scope: this.config.oidc.scopes,
        code_challenge: generators.codeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      }),
    );
  }

  /** Exchanges the code; answers the token the API will accept and where to go next. */
  async complete(req: Request, res: Response): Promise<{ token: string; expiresIn: number; next: string }> {
    const raw = (req.cookies as Record<string, string | undefined>)[FLOW_COOKIE];
    res.clearCookie(FLOW_COOKIE, { path: '/app/auth' });
    if (!raw) throw new Error('the sign-in took too long or was started elsewhere; start again');
    const flow = JSON.parse(raw) as Flow;
    const client = await this.discover();
    const tokens = await client.callback(this.redirectUri, client.callbackParams(req), {
      code_verifier: flow.verifier,
      state: flow.state,
      nonce: flow.nonce,
    });
    const token = this.config.oidc.sessionToken === 'access_token' ? tokens.access_token : tokens.id_token;
    if (!token) throw new Error(`the provider returned no ${this.config.oidc.sessionToken}`);
    const expiresIn = tokens.expires_in ?? 3600;
    return { token, expiresIn, next: flow.next };
  }
}
