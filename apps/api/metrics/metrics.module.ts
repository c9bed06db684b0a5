import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { httpMetricsMiddleware } from '@libs/observability';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** GET /metrics and the HTTP latency histogram it shows. */
@Module({ controllers: [MetricsController], providers: [MetricsService] })
export class MetricsModule implements NestModule {
  constructor(private readonly metrics: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(httpMetricsMiddleware(this.metrics.registry))
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
