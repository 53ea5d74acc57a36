/**
 * The process's OpenTelemetry tracer provider: spans batched to Zipkin, W3C context propagation
 * over AsyncLocalStorage, and the instrumentations of what every process talks to (HTTP in and
 * out, Postgres, Redis; Kafka's produce and consume spans are opened by the relay and the consumer
 * runtime themselves). Started once per process, before the clients
 * it patches are loaded (platform/telemetry/register.ts is each entry's first import).
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  zipkinUrl: string;
  /** The share of new traces recorded (default all); a child follows its parent's decision. */
  sampleRatio?: number;
}

export interface Tracing {
  serviceName: string;
  resource: Resource;
  /** Where spans recorded outside the provider (the workflow sandbox's, through a sink) go. */
  spanProcessor: SpanProcessor;
  /** Sends what is batched; call before exiting. */
  flush(): Promise<void>;
}

/** Probes and scrapes run every few seconds: spans of them would bury the traces that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

let current: Tracing | undefined;

/** The tracing this process started, if it did. */
export function activeTracing(): Tracing | undefined {
  return current;
}

/** Starts tracing for this process; a second call returns the first one's (one provider per process). */
export function startTracing({ serviceName, zipkinUrl, sampleRatio = 1 }: TracingOptions): Tracing {
  if (current) return current;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName });
  // A short delay: a trace shows in Zipkin about a second after the request, and little is lost on exit.
  const spanProcessor = new BatchSpanProcessor(new ZipkinExporter({ url: zipkinUrl, serviceName }), {
    scheduledDelayMillis: 1000,
  });
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [spanProcessor],
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!),
      }),
      // Only inside a trace: the relay's polling and the consumers' bookkeeping would be root spans otherwise.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  current = {
    serviceName,
    resource,
    spanProcessor,
    flush: () => provider.forceFlush(),
  };
  return current;
}
