import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '@libs/config';

type Directives = Record<string, string[]>;

const csp = (directives: Directives) =>
  Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');

/** What every page under /app loads: its own scripts and styles (Chart.js included), nothing inline. */
export function pageDirectives(config: AppConfig): Directives {
  const oidcOrigin = config.oidc.issuerUrl ? new URL(config.oidc.issuerUrl).origin : undefined;
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    // Chrome applies form-action to the redirects after a form too; the provider is where sign-in goes
    'form-action': ["'self'", ...(oidcOrigin ? [oidcOrigin] : [])],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
  };
}

/** The approval-link pages: the app's stylesheet, no script, and a form to themselves. */
export function linkPageDirectives(): Directives {
  return {
    'default-src': ["'none'"],
    'style-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
  };
}

/**
 * Response headers for every route (helmet): never framed, no MIME sniffing, no referrer to other
 * origins, HSTS when the public URL is https. The pages under /app and the approval-link pages get
 * a strict Content-Security-Policy; the link pages send no referrer at all, since their URL is a
 * credential. The rest (JSON, the OpenAPI UI, the dev mailbox) gets only `frame-ancestors 'none'`.
 */
export function applySecurityHeaders(app: INestApplication, config: AppConfig): void {
  const https = config.publicUrl.startsWith('https://');
  app.use(
    helmet({
      // the OpenAPI UI and the dev mailbox keep their inline code; nothing may frame anything
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc,
          'frame-ancestors': ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: https ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
    }),
  );
  const pages = csp(pageDirectives(config));
  const linkPages = csp(linkPageDirectives());
  app.use('/app', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', pages);
    next();
  });
  app.use('/approvals', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', linkPages);
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
}
