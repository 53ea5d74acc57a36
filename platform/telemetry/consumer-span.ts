/**
 * The span of one Kafka message's handling, opened by the consumer runtime itself: a child of the
 * publish that sent it (the `traceparent` header the relay writes), so every consumer joins the
 * request's trace. Not left to @opentelemetry/instrumentation-kafkajs: its require hook never sees
 * kafkajs when ES modules import it (npm start's processes found no consumer span at all), while
 * this works the same under tsx, compiled JS and jest. With tracing off the API's no-op tracer
 * makes it free.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { contextFromTraceparent } from './trace-context';

const tracer = trace.getTracer('pasar-kafka-consumer');

export interface ConsumedMessage {
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

const attributesOf = (message: ConsumedMessage) => ({
  'pasar.consumer': message.consumer,
  'messaging.system': 'kafka',
  'messaging.operation.type': 'process',
  'messaging.destination.name': message.topic,
  'messaging.consumer.group.name': message.consumer,
  'messaging.destination.partition.id': String(message.partition),
  'messaging.kafka.offset': message.offset,
});

function failed(span: Span, err: unknown) {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
}

export function inConsumerSpan<T>(message: ConsumedMessage, handle: () => Promise<T>): Promise<T> {
  const parent = contextFromTraceparent(message.headers.traceparent);
  return tracer.startActiveSpan(
    `process ${message.topic}`,
    { kind: SpanKind.CONSUMER, attributes: attributesOf(message) },
    parent,
    async (span) => {
      try {
        return await handle();
      } catch (err) {
        failed(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The spans of a batch's handling (consumer.ts, `handleBatch`): each message still gets its own
 * CONSUMER span, a child of its own publish, so every event stays in its request's trace; they
 * last as long as the batch's work and share its outcome. That work (the one insert, the one bulk
 * request) runs inside one `process batch` span of its own, linked to each message's span, so the
 * client spans under it (HTTP, Postgres, Redis) belong to no single event's trace.
 */
export async function inConsumerBatchSpans<T>(
  consumer: string,
  messages: ConsumedMessage[],
  handle: () => Promise<T>,
): Promise<T> {
  const spans = messages.map((m) =>
    tracer.startSpan(
      `process ${m.topic}`,
      { kind: SpanKind.CONSUMER, attributes: attributesOf(m) },
      contextFromTraceparent(m.headers.traceparent),
    ),
  );
  const links = spans.map((s) => ({ context: s.spanContext() })).filter((l) => trace.isSpanContextValid(l.context));
  const attributes = { 'pasar.consumer': consumer, 'messaging.batch.message_count': messages.length };
  try {
    return await tracer.startActiveSpan(
      `process batch ${consumer}`,
      { kind: SpanKind.INTERNAL, attributes, links, root: true },
      async (batch) => {
        try {
          return await handle();
        } catch (err) {
          failed(batch, err);
          throw err;
        } finally {
          batch.end();
        }
      },
    );
  } catch (err) {
    for (const span of spans) failed(span, err);
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}
