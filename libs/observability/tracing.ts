import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { scrubPath } from './scrub-path';

export interface Tracing {
  resource: Resource;
  /** Also exports the workflow spans the worker receives through the interceptors' sink. */
  spanProcessor: SpanProcessor;
  /** Flushes what is buffered; call on shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing for this process when the configuration asks for it (the standard
 * OTEL_* variables: OTEL_TRACES_EXPORTER=otlp or an OTLP endpoint, unless OTEL_SDK_DISABLED=true).
 * Spans go over OTLP/HTTP; the exporter, sampler, propagators and resource read their own standard
 * variables (OTEL_EXPORTER_OTLP_*, OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS, OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES). `http` server and client spans come from instrumentation-http; call
 * this before the HTTP server starts.
 */
export function startTracing(serviceName: string, config: { enabled: boolean }): Tracing | null {
  if (!config.enabled) return null;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': serviceName }))
    .merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // the scrape and the probes would drown the traces that matter
        ignoreIncomingRequestHook: (req) => /^\/(metrics|health\/)/.test(req.url ?? ''),
        // no query strings, emails or link tokens in span attributes
        startIncomingSpanHook: (req) => {
          const path = scrubPath('url' in req ? req.url : undefined);
          return { 'http.target': path, 'http.url': path, 'url.path': path };
        },
      }),
    ],
  });
  return {
    resource,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
