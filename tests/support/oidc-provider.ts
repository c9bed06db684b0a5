import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A small but real OpenID Connect provider on loopback for the production sign-in tests:
 * discovery, an authorization endpoint that signs in `user` at once, a token endpoint that checks
 * the PKCE verifier (S256), the client and the redirect URI, and the JWKS of its RS256 key.
 */
export interface OidcProvider {
  issuer: string;
  jwksUrl: string;
  clientId: string;
  /** Who the next authorization signs in. */
  user: { email: string };
  /** Token requests the provider refused, with why. */
  refusals: string[];
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  email: string;
}

export async function startOidcProvider(clientId = 'clearance-web'): Promise<OidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'oidc-test', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const provider = { clientId, user: { email: 'alice@example.com' }, refusals: [] as string[] } as OidcProvider;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', provider.issuer);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}/authorize`,
        token_endpoint: `${provider.issuer}/token`,
        jwks_uri: provider.jwksUrl,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      if (p.get('client_id') !== clientId || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      grants.set(code, {
        clientId,
        redirectUri: p.get('redirect_uri')!,
        challenge: p.get('code_challenge')!,
        nonce: p.get('nonce') ?? '',
        email: provider.user.email,
      });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      back.searchParams.set('iss', provider.issuer);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        void (async () => {
          const form = new URLSearchParams(body);
          const grant = grants.get(form.get('code') ?? '');
          grants.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          const refusal = !grant
            ? 'unknown or used code'
            : form.get('client_id') !== grant.clientId
              ? 'wrong client'
              : form.get('redirect_uri') !== grant.redirectUri
                ? 'wrong redirect_uri'
                : createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
                  ? 'PKCE verifier does not match'
                  : null;
          if (refusal || !grant) {
            provider.refusals.push(refusal ?? 'no grant');
            return json(400, { error: 'invalid_grant', error_description: refusal });
          }
          const idToken = await new SignJWT({ email: grant.email, email_verified: true, nonce: grant.nonce })
            .setProtectedHeader({ alg: 'RS256', kid: 'oidc-test' })
            .setIssuer(provider.issuer)
            .setAudience(clientId)
            .setSubject(`user-${grant.email}`)
            .setIssuedAt()
            .setExpirationTime('1h')
            .sign(privateKey);
          json(200, {
            access_token: randomBytes(16).toString('hex'),
            id_token: idToken,
            token_type: 'Bearer',
            expires_in: 3600,
          });
        })();
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.jwksUrl = `${provider.issuer}/jwks`;
  provider.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return provider;
}
