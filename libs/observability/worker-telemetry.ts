import { makeWorkflowExporter, type OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { Runtime, type InjectedSinks, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { workerActivityInterceptors } from './temporal-activity-interceptors';
import { PinoTemporalLogger } from './temporal-logger';
import type { Tracing } from './tracing';
import { WORKFLOW_INTERCEPTOR_MODULES } from './workflow-interceptor-modules';

/**
 * Installs the Temporal Runtime of the worker process (once, before any connection): SDK, workflow
 * and activity logs as JSON through pino, native Core logs forwarded there too, and, when
 * `metricsAddress` is set, the SDK's own Prometheus exporter (worker task and activity latencies,
 * poll and slot metrics, plus clearance_email_* counters) on that host:port under /metrics.
 */
export function installWorkerRuntime(logger: Logger, metricsAddress?: string): Runtime {
  return Runtime.install({
    logger: new PinoTemporalLogger(logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(metricsAddress
        ? {
            metrics: {
              prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true },
            },
          }
        : {}),
    },
  });
}

/**
 * Worker options for observability: activity interceptors (request id; spans when tracing), the
 * workflow interceptor modules (used when the worker bundles; prebuilt bundles include them), and
 * the sink the workflow interceptors export spans through: a no-op when tracing is off, so a
 * traced history still runs (and replays) on an untraced worker.
 */
export function workerTelemetryOptions(
  tracing: Tracing | null | undefined,
  { prebuiltBundle }: { prebuiltBundle: boolean },
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const sinks: InjectedSinks<OpenTelemetrySinks> = {
    exporter: tracing ? makeWorkflowExporter(tracing.spanProcessor, tracing.resource) : { export: { fn: () => {} } },
  };
  return {
    interceptors: {
      activity: workerActivityInterceptors({ enabled: !!tracing }),
      // a prebuilt bundle has them already (scripts/bundle-workflows.ts, the tests' global setup)
      ...(prebuiltBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks,
  };
}
