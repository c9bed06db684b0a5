import { Inject, Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@libs/config';
import { registerBusinessMetrics } from '@libs/observability';
import { OperationalStatsRepository } from '@libs/persistence';
import { APP_CONFIG } from '../common/tokens';

/**
 * The API's Prometheus registry: business metrics read from the database, HTTP latency, the
 * process's own metrics and, when WORKER_METRICS_URL is set, the worker's Temporal SDK metrics
 * appended as fetched (one scrape shows the whole system in development; in production Prometheus
 * should also scrape every worker's WORKER_METRICS_ADDRESS itself).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    dataSource: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry });
    registerBusinessMetrics(this.registry, new OperationalStatsRepository(dataSource));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    const own = await this.registry.metrics();
    const url = this.config.metrics.workerUrl;
    if (!url) return own;
    return `${own}\n${await this.workerMetrics(url)}`;
  }

  private async workerMetrics(url: string): Promise<string> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const text = await res.text();
      return `# HELP clearance_worker_metrics_up 1 when the worker's metrics were fetched\n# TYPE clearance_worker_metrics_up gauge\nclearance_worker_metrics_up 1\n${text}`;
    } catch (error) {
      this.logger.warn(`worker metrics unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return "# HELP clearance_worker_metrics_up 1 when the worker's metrics were fetched\n# TYPE clearance_worker_metrics_up gauge\nclearance_worker_metrics_up 0\n";
    }
  }
}
