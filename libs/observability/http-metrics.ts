import type { IncomingMessage, ServerResponse } from 'node:http';
import { Histogram, type Registry } from 'prom-client';

type RoutedRequest = IncomingMessage & { baseUrl?: string; route?: { path?: string } };

/** The route pattern (`/api/requests/:id`), never the raw path: bounded labels, no ids or emails. */
export function routeLabel(req: RoutedRequest): string {
  const pattern = req.route?.path;
  return typeof pattern === 'string' ? `${req.baseUrl ?? ''}${pattern}` || '/' : 'unmatched';
}

/** HTTP latency by method, route pattern and status, observed when the response is finished. */
export function httpMetricsMiddleware(registry: Registry) {
  const duration = new Histogram({
    name: 'clearance_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const end = duration.startTimer();
    res.once('finish', () =>
      end({ method: req.method ?? 'GET', route: routeLabel(req), status: String(res.statusCode) }),
    );
    next();
  };
}
