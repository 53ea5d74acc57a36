/**
 * Finds the demo's checkout in Zipkin: the demo sends its own X-Request-Id with `POST /checkout`
 * (hono's requestId() keeps a well-formed one), the API tags the request's span with it
 * (`pasar.request_id`), so one annotation query finds the trace that holds the request, the saga,
 * its activities, the Kafka publishes and the consumers.
 */
import { getConfig } from '../../platform/config';

/** Zipkin's base URL (the UI and the query API), from the span endpoint the processes export to. */
function zipkinBase(): string {
  return new URL(getConfig().tracing.zipkinUrl).origin;
}

/** The trace's page in Zipkin's UI, or a search page when the trace has not arrived within `waitMs`. */
export async function traceUrl(requestId: string, waitMs = 10_000): Promise<string> {
  const base = zipkinBase();
  const query = `annotationQuery=${encodeURIComponent(`pasar.request_id=${requestId}`)}`;
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/api/v2/traces?${query}&limit=1&lookback=3600000`, {
        signal: AbortSignal.timeout(2000),
      });
      const traces = res.ok ? ((await res.json()) as { traceId: string }[][]) : [];
      const traceId = traces[0]?.[0]?.traceId;
      if (traceId) return `${base}/zipkin/traces/${traceId}`;
    } catch {
      // Zipkin down or slow: fall through to the search page, the demo goes on.
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return `${base}/zipkin/?${query}&lookback=3600000`;
}
