import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '@libs/config';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../common/tokens';
import { MetricsService } from './metrics.service';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus scrape endpoint. Not for people, so not behind the directory's tokens: it authorizes
 * with METRICS_TOKEN (`Authorization: Bearer <token>`). Without METRICS_TOKEN it is open in
 * development and tests, and closed (401) in production, where counts of requests and decisions
 * are not for anyone who can reach the port.
 */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics (Bearer METRICS_TOKEN; open in development when it is unset)' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const token = this.config.metrics.token;
    if (token) {
      const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, token))
        throw new DomainError('UNAUTHENTICATED', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    } else if (!this.config.devMode) {
      throw new DomainError('UNAUTHENTICATED', 'GET /metrics is closed: set METRICS_TOKEN to scrape it');
    }
    res.setHeader('content-type', this.metrics.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(await this.metrics.render());
  }
}
