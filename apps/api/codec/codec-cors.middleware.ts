import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '@libs/config';
import { APP_CONFIG } from '../common/tokens';

export const CODEC_CORS_HEADERS = 'authorization, content-type, x-namespace';

/**
 * CORS for the codec server only (`/codec/*`): the Temporal Web UI calls it from the browser, from
 * its own origin (TEMPORAL_UI_ORIGIN), with the user's bearer token. Only that origin is answered,
 * with credentials allowed; a preflight from any other origin is refused without CORS headers.
 * Requests without an Origin (the Temporal CLI, scripts) pass through unchanged. The rest of the
 * API has no CORS at all.
 */
@Injectable()
export class CodecCorsMiddleware implements NestMiddleware {
  private readonly origins: ReadonlySet<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.origins = new Set(config.temporalUiOrigins);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && this.origins.has(origin);
    res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    if (!allowed) {
      res.status(403).end();
      return;
    }
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', CODEC_CORS_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  }
}
