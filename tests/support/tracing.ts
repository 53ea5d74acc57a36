/**
 * Tracing inside a jest process: the provider of platform/telemetry, exporting to the stack's
 * Zipkin under a service name of the test's own, and Zipkin's query API to read traces back.
 * Jest loads node_modules through its own module registry, which the instrumentations' require
 * hook never sees (and @hono/node-server loaded node:http before this ran), so the HTTP
 * instrumentation is applied here to the module jest loaded (Kafka's spans need no patching: the
 * relay and the consumer runtime open them).
 */
import * as http from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { getConfig } from '../../platform/config';
import { startTracing, type Tracing } from '../../platform/telemetry/tracing';
import { waitFor } from './shop';

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/** Starts this process's tracing (before any client is created) as the service `serviceName`. */
export function startTestTracing(serviceName: string): Tracing {
  const tracing = startTracing({ serviceName, zipkinUrl: getConfig().tracing.zipkinUrl });
  // The incoming side patches http.Server.prototype, which every server shares.
  const incoming = new HttpInstrumentation();
  for (const definition of incoming.getModuleDefinitions()) {
    if (definition.name === 'http') definition.patch?.(http, process.versions.node);
  }
  return tracing;
}

/** Zipkin's query API (the server's root, from the span upload URL). */
export const zipkinBase = () => new URL(getConfig().tracing.zipkinUrl).origin;

/** The trace tagged with this request id, once Zipkin has it (spans arrive in batches). */
export async function traceOfRequest(serviceName: string, requestId: string): Promise<ZipkinSpan[]> {
  return waitFor(`a trace for request ${requestId}`, async () => {
    const query = new URLSearchParams({
      serviceName,
      annotationQuery: `pasar.request_id=${requestId}`,
      lookback: String(3_600_000),
      limit: '5',
    });
    const res = await fetch(`${zipkinBase()}/api/v2/traces?${query}`);
    if (!res.ok) throw new Error(`zipkin answered ${res.status}`);
    const traces = (await res.json()) as ZipkinSpan[][];
    return traces[0];
  });
}

/** Every span of a trace as Zipkin has it now. */
export async function traceSpans(traceId: string): Promise<ZipkinSpan[]> {
  const res = await fetch(`${zipkinBase()}/api/v2/trace/${traceId}`);
  return res.ok ? ((await res.json()) as ZipkinSpan[]) : [];
}
