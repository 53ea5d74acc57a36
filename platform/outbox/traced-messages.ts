/**
 * The relay's Kafka messages, each continuing the trace of the transaction that wrote its row:
 * a producer span whose parent is the row's stored `traceparent`, and that span's context in the
 * message's `traceparent` header, which the consumers' kafkajs instrumentation continues. With
 * tracing off the stored `traceparent` is passed on as it is, so consumers still join the trace.
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Message } from 'kafkajs';
import { contextFromTraceparent, traceparentOf } from '../telemetry/trace-context';

/** What the relay reads of an outbox row to publish it. */
export interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  type: string;
  aggregate_version: string;
  payload: unknown;
  traceparent: string | null;
}

export interface TracedMessage {
  topic: string;
  message: Message & { headers: Record<string, string> };
  span: Span;
}

/** One producer span and message per row; end them with `endPublishSpans` once the send settled. */
export function tracedMessages(
  rows: OutboxRow[],
  tracer: Tracer = trace.getTracer('pasar-outbox-relay'),
): TracedMessage[] {
  return rows.map((r) => {
    const span = tracer.startSpan(
      `publish ${r.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': r.topic,
          'messaging.message.id': r.id,
          'pasar.event_type': r.type,
        },
      },
      contextFromTraceparent(r.traceparent),
    );
    const headers: Record<string, string> = {
      event_id: r.id,
      event_type: r.type,
      aggregate_version: r.aggregate_version,
    };
    const traceparent = traceparentOf(trace.setSpan(ROOT_CONTEXT, span)) ?? r.traceparent;
    if (traceparent) headers.traceparent = traceparent;
    return { topic: r.topic, message: { key: r.key, value: JSON.stringify(r.payload), headers }, span };
  });
}

/**
 * Runs the send with automatic Kafka instrumentation muted: it would open one span for the whole
 * batch and overwrite each message's `traceparent` with it, cutting every row off its own trace.
 */
export function withoutAutoInstrumentation<T>(send: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), send);
}

/** Ends the batch's spans, as failed if the send failed. */
export function endPublishSpans(messages: TracedMessage[], err?: unknown): void {
  for (const { span } of messages) {
    if (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    }
    span.end();
  }
}
