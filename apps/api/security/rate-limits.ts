import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { AppConfig } from '@libs/config';
import type { AuthenticatedRequest } from '../auth/auth.decorators';

/** Routes anyone may call without signing in: approval links, dev-login, the pages' sign-in and callbacks. */
const PUBLIC_LIMITED = [/^\/approvals\//, /^\/api\/auth\/dev-login$/, /^\/app\/sign-in$/, /^\/app\/auth\//];
/** What a request would need, without submitting it: an oracle worth probing, so limited per person. */
const EVALUATE = /^\/api\/policy\/evaluate$/;

const request = (context: ExecutionContext) => context.switchToHttp().getRequest<Request>();
const family = (context: ExecutionContext, patterns: RegExp[]) => {
  const path = request(context).path;
  return patterns.findIndex((p) => p.test(path));
};

/**
 * The rate limits (issue 12), configured here rather than on controllers: per client address on
 * each public route, per person on policy evaluation (the guard runs after AuthGuard). In-memory:
 * each API process counts for itself.
 */
export function rateLimitModule(config: AppConfig) {
  const { windowSeconds, public: publicLimit, evaluate } = config.rateLimits;
  const ttl = windowSeconds * 1000;
  return ThrottlerModule.forRoot({
    errorMessage: 'too many requests; try again later',
    setHeaders: false,
    throttlers: [
      {
        name: 'public',
        ttl,
        limit: publicLimit,
        skipIf: (context) => publicLimit === 0 || family(context, PUBLIC_LIMITED) < 0,
        // one count per route family (a link's GET and POST share it), not per handler
        generateKey: (context, tracker, name) => `${name}:${family(context, PUBLIC_LIMITED)}:${tracker}`,
      },
      {
        name: 'evaluate',
        ttl,
        limit: evaluate,
        skipIf: (context) => evaluate === 0 || request(context).method !== 'POST' || family(context, [EVALUATE]) < 0,
        getTracker: (req) =>
          (req as AuthenticatedRequest).person?.email ?? (req as AuthenticatedRequest).ip ?? 'unknown',
      },
    ],
  });
}

/** Answers 429 with `Retry-After` in seconds (the stock guard names the header after the throttler). */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    context
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    return super.throwThrottlingException(context, detail);
  }
}
