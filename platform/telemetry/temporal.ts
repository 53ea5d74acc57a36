/**
 * Temporal's OpenTelemetry interceptors, when this process traces: the client's carry the caller's
 * context into the workflow's headers; the worker's open a span per workflow run, signal, query
 * and activity, the workflow's recorded in the sandbox and handed out through a sink.
 */
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { activeTracing } from './tracing';

type PluginOptions = ConstructorParameters<typeof OpenTelemetryPlugin>[0];

/** The client's workflow interceptors (none while tracing is off). */
export function temporalClientInterceptors() {
  return activeTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/** The worker's plugins: client, workflow and activity interceptors plus the workflow span sink. */
export function temporalWorkerPlugins(): OpenTelemetryPlugin[] {
  const tracing = activeTracing();
  if (!tracing) return [];
  const options = {
    resource: tracing.resource,
    spanProcessor: workflowSpanAdapter(tracing.spanProcessor),
  } as unknown as PluginOptions; // the plugin is typed against OpenTelemetry 1.x; the shapes it uses agree
  return [new OpenTelemetryPlugin(options)];
}

/** A span recorded by the sandbox's OpenTelemetry 1.x: its parent is an id, not a span context. */
type SandboxSpan = ReadableSpan & {
  parentSpanId?: string;
  instrumentationLibrary?: ReadableSpan['instrumentationScope'];
};

/**
 * Workflow spans arrive in OpenTelemetry 1.x's shape; Zipkin's 2.x exporter reads the parent from
 * `parentSpanContext`, so without this every workflow span would be a root of its own trace.
 */
export function workflowSpanAdapter(next: SpanProcessor): SpanProcessor {
  return {
    onStart: () => undefined,
    onEnd(span: ReadableSpan) {
      const s = span as SandboxSpan;
      const parentSpanContext =
        s.parentSpanContext ??
        (s.parentSpanId ? { traceId: s.spanContext().traceId, spanId: s.parentSpanId, traceFlags: 1 } : undefined);
      next.onEnd({
        ...s,
        spanContext: () => s.spanContext(),
        parentSpanContext,
        instrumentationScope: s.instrumentationScope ?? s.instrumentationLibrary ?? { name: 'temporal' },
      } as ReadableSpan);
    },
    forceFlush: () => next.forceFlush(),
    shutdown: () => Promise.resolve(),
  };
}
