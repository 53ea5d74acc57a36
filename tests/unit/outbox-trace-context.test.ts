/**
 * The outbox carries the writer's trace to the relay: enqueueEvent stores the active span's
 * traceparent, and the relay's message for that row is published under a producer span whose
 * parent is that stored context, with the producer span's context in the `traceparent` header.
 */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { endPublishSpans, tracedMessages, type OutboxRow } from '../../platform/outbox/traced-messages';
import { TOPICS } from '../../platform/kafka/topics';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('outbox-test');
afterAll(() => provider.shutdown());

/** A transaction that records the statements it is given (enqueueEvent's two), answering version 1. */
function recordingTx() {
  const inserts: unknown[][] = [];
  return {
    inserts,
    tx: {
      $queryRaw: async () => [{ version: 1n }],
      $executeRaw: async (_sql: TemplateStringsArray, ...values: unknown[]) => {
        inserts.push(values);
        return 1;
      },
    } as unknown as Parameters<typeof enqueueEvent>[0],
  };
}

const userRegistered = (id: string) => ({
  topic: TOPICS.users,
  type: 'user.registered' as const,
  aggregateId: id,
  data: { user_id: id, email: 'sari@example.id', first_name: 'Sari', last_name: 'Wulandari', phone: '+6281234567890' },
});

const row = (traceparent: string | null): OutboxRow => ({
  id: '7f1c2a5e-9d3b-4c1e-8a2f-0b6d5e4c3a21',
  topic: 'pasar.orders',
  key: 'order-1',
  type: 'order.paid',
  aggregate_version: '3',
  payload: { id: 'x' },
  traceparent,
});

test('enqueueEvent stores the traceparent of the span that wrote the event', async () => {
  const { tx, inserts } = recordingTx();
  const writer = await tracer.startActiveSpan('activity', async (span) => {
    await enqueueEvent(tx, userRegistered('6d1f3c2a-8b4e-4f7a-9c2d-1e5b7a9c3f10'));
    span.end();
    return span.spanContext();
  });
  expect(inserts[0]!.at(-1)).toBe(`00-${writer.traceId}-${writer.spanId}-01`);
});

test('enqueueEvent outside any span stores no traceparent', async () => {
  const { tx, inserts } = recordingTx();
  await enqueueEvent(tx, userRegistered('0a7e2b4c-3d5f-4e6a-8b9c-2d4f6a8c0e13'));
  expect(inserts[0]!.at(-1)).toBeNull();
});

test("the relay's message continues the stored trace under a producer span", () => {
  exporter.reset();
  const stored = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const [message] = tracedMessages([row(stored)], tracer);
  endPublishSpans([message!]);
  const [span] = exporter.getFinishedSpans();
  expect(span!.name).toBe('publish pasar.orders');
  expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  expect(message!.message.headers.traceparent).toBe(
    `00-4bf92f3577b34da6a3ce929d0e0e4736-${span!.spanContext().spanId}-01`,
  );
  expect(message!.message.headers).toMatchObject({ event_type: 'order.paid', aggregate_version: '3' });
});

test('a row written outside any trace is published as a trace of its own', () => {
  exporter.reset();
  const [message] = tracedMessages([row(null)], tracer);
  endPublishSpans([message!]);
  const [span] = exporter.getFinishedSpans();
  expect(span!.parentSpanContext).toBeUndefined();
  expect(message!.message.headers.traceparent).toContain(span!.spanContext().traceId);
});

test('a failed send marks every span of the batch as failed', () => {
  exporter.reset();
  endPublishSpans(tracedMessages([row(null), row(null)], tracer), new Error('broker down'));
  expect(exporter.getFinishedSpans().map((s) => s.status.code)).toEqual([2, 2]);
});
