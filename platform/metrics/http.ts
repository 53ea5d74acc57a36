/**
 * HTTP metrics for the Hono API: request rate, errors and latency, labelled by the ROUTE PATTERN
 * that answered (`/orders/:id`), never the raw path, so a scanner requesting a million distinct
 * URLs adds no series. Every label has a closed set of values: the registered patterns (or
 * `unmatched`), the standard methods (or `OTHER`) and the status code.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Registry } from 'prom-client';
import { counter, histogram, processRegistry } from './registry';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const WILDCARD = /^\/?\*$/;

/** The pattern of the handler that answered, or of the route it was meant for; `unmatched` if none. */
export function routeLabel(c: Context): string {
  // After next(), routeIndex points at the handler that answered. A catch-all middleware (body
  // limit, input policy) answering for a real route is labelled with that route, the last match.
  const answered = routePath(c);
  if (!WILDCARD.test(answered)) return answered;
  const intended = routePath(c, -1);
  return intended && !WILDCARD.test(intended) ? intended : 'unmatched';
}

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/** Counts and times every request; mount first so it sees the final status of every answer. */
export function httpMetrics(registry: Registry = processRegistry()): MiddlewareHandler {
  const requests = counter(
    {
      name: 'pasar_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
    },
    registry,
  );
  const duration = histogram(
    {
      name: 'pasar_http_request_duration_seconds',
      help: 'HTTP request latency, by route pattern, method and status class',
      labelNames: ['route', 'method', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25],
    },
    registry,
  );
  return async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // hono turns a thrown error into c.res through onError before we get here; a 500 if not.
      const status = c.res?.status ?? 500;
      const route = routeLabel(c);
      const method = methodLabel(c.req.method);
      requests.inc({ route, method, status: String(status) });
      duration.observe(
        { route, method, status_class: `${Math.floor(status / 100)}xx` },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  };
}
