/**
 * The span of one Kafka message's handling, opened by the consumer runtime itself: a child of the
 * publish that sent it (the `traceparent` header the relay writes), so every consumer joins the
 * request's trace. Not left to @opentelemetry/instrumentation-kafkajs: its require hook never sees
 * kafkajs when ES modules import it (npm start's processes found no consumer span at all), while
 * this works the same under tsx, compiled JS and jest. With tracing off the API's no-op tracer
 * makes it free.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { contextFromTraceparent } from './trace-context';

const tracer = trace.getTracer('pasar-kafka-consumer');

export interface ConsumedMessage {
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export function inConsumerSpan<T>(message: ConsumedMessage, handle: () => Promise<T>): Promise<T> {
  const attributes = {
    'pasar.consumer': message.consumer,
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': message.topic,
    'messaging.consumer.group.name': message.consumer,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.kafka.offset': message.offset,
  };
  const parent = contextFromTraceparent(message.headers.traceparent);
  return tracer.startActiveSpan(
    `process ${message.topic}`,
    { kind: SpanKind.CONSUMER, attributes },
    parent,
    async (span) => {
      try {
        return await handle();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
