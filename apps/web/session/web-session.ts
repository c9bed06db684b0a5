import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { doubleCsrf, type DoubleCsrfUtilities } from 'csrf-csrf';
import type { Request, Response } from 'express';
import type { AppConfig } from '@libs/config';
import type { Person } from '@libs/domain/person';
import { APP_CONFIG } from '../../api/common/tokens';

/** A page request after the page guard: who is signed in, with the token the API accepts. */
export type PageRequest = Request & { person?: Person; sessionToken?: string };

/**
 * The browser session. The cookie holds the same bearer token the JSON API accepts (dev-login's,
 * or the identity provider's), httpOnly so no script can read it, SameSite=Lax so other sites
 * cannot send it along with their forms, Secure behind https. Every form also carries a CSRF
 * token (double submit, HMAC-bound to the session), checked on every POST.
 */
@Injectable()
export class WebSession {
  readonly cookieName: string;
  private readonly secure: boolean;
  private readonly csrf: DoubleCsrfUtilities;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secure = config.publicUrl.startsWith('https://');
    // __Host- cookies are pinned to this origin and path /, and browsers only accept them over https.
    this.cookieName = this.secure ? '__Host-clearance_session' : 'clearance_session';
    const secret = createHmac('sha256', config.linkTokens.secret).update('clearance web csrf').digest('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (req) => this.token(req) ?? '',
      cookieName: this.secure ? '__Host-clearance_csrf' : 'clearance_csrf',
      cookieOptions: { sameSite: 'lax', secure: this.secure, httpOnly: true, path: '/' },
      getCsrfTokenFromRequest: (req) => {
        const fromForm = (req.body as Record<string, unknown> | undefined)?._csrf;
        return typeof fromForm === 'string' ? fromForm : req.headers['x-csrf-token'];
      },
    });
  }

  token(req: Request): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[this.cookieName];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }

  start(res: Response, token: string, maxAgeSeconds: number): void {
    res.cookie(this.cookieName, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      maxAge: maxAgeSeconds * 1000,
    });
  }

  end(res: Response): void {
    res.clearCookie(this.cookieName, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' });
  }

  /** The token a form must send back; `fresh` after signing in or out, when the session changed. */
  csrfToken(req: Request, res: Response, fresh = false): string {
    return this.csrf.generateCsrfToken(req, res, { overwrite: fresh });
  }

  csrfValid(req: Request): boolean {
    return this.csrf.validateRequest(req);
  }
}
