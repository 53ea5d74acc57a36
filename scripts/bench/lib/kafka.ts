/**
 * Kafka for the consumer benchmarks: a topic of the run's own, events produced onto it, and a
 * consumer spec timed over them through the real runtime, against the same runtime with a handler
 * that does nothing (the handler's own cost is the ratio).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventEnvelope } from '../../../platform/events';
import type { ConsumerSpec } from '../../../platform/kafka/consumer-spec';
import { runConsumer } from '../../../platform/kafka/consumer';
import { createLogger } from '../../../platform/logger';
import { sleep } from './load';

export const benchLogger = createLogger('fatal', 'bench');

/** Creates a fresh topic (`<prefix>.<random>`); `remove` deletes it. */
export async function benchTopic(kafka: Kafka, prefix: string, partitions: number) {
  const name = `${prefix}.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  return {
    name,
    partitions,
    async remove() {
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics: [name] }).catch(() => undefined);
      await a.disconnect();
    },
  };
}

/** Produces events (keyed by aggregate, typed in a header, as the outbox relay does) or raw values, 500 a batch. */
export async function produce(kafka: Kafka, topic: string, events: (EventEnvelope | string)[]) {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 500)
      await producer.send({
        topic,
        messages: events
          .slice(i, i + 500)
          .map((e, j) =>
            typeof e === 'string'
              ? { key: String(i + j), value: e }
              : { key: e.aggregate_id, value: JSON.stringify(e), headers: { event_type: e.type } },
          ),
      });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Runs `spec` on `topic` from its beginning in a group of its own until `total` events are handled
 * (one by one, or in batches when it has `handleBatch`); events/s from the first to the last. A
 * backlog is drained without the spec's linger (that bounds an event's wait under a trickle, and
 * would only add idle time here).
 */
export async function drainRate(
  kafka: Kafka,
  spec: ConsumerSpec,
  topic: { name: string; partitions: number },
  total: number,
  timeoutMs = 300_000,
) {
  let handled = 0;
  let first = 0;
  let last = 0;
  const timed = async (n: number, work: () => Promise<void>) => {
    if (first === 0) first = performance.now();
    await work();
    handled += n;
    last = performance.now();
  };
  const { handleBatch } = spec;
  const running = runConsumer(
    kafka,
    {
      ...spec,
      topics: [{ name: topic.name, partitions: topic.partitions, carries: 'bench events' }],
      handle: (e, ctx) => timed(1, () => spec.handle(e, ctx)),
      handleBatch: handleBatch && ((events) => timed(events.length, () => handleBatch.call(spec, events))),
    },
    { logger: benchLogger, groupId: `pasar.bench-${spec.name}.${randomUUID()}`, batching: { lingerMs: 0 } },
  );
  try {
    const deadline = Date.now() + timeoutMs;
    while (handled < total) {
      if (Date.now() > deadline)
        throw new Error(`${spec.name}: ${handled} of ${total} events handled in ${timeoutMs} ms`);
      await sleep(20);
    }
  } finally {
    await running.stop();
  }
  return total / Math.max(0.001, (last - first) / 1000);
}

/**
 * Events/s of `spec` over `events` on a fresh topic, and of the same runtime with a no-op handler
 * (and no background work; a no-op batch handler when the spec has one) over the same events, the
 * baseline, read first.
 */
export async function handlerRates(kafka: Kafka, spec: ConsumerSpec, events: EventEnvelope[], partitions = 6) {
  const topic = await benchTopic(kafka, `bench.${spec.name}`, partitions);
  try {
    await produce(kafka, topic.name, events);
    const noop: ConsumerSpec = {
      ...spec,
      background: undefined,
      handle: async () => undefined,
      // The same path as the real spec's (batches when it has them), doing nothing.
      handleBatch: spec.handleBatch && (async () => undefined),
    };
    const bare = await drainRate(kafka, noop, topic, events.length);
    const real = await drainRate(kafka, spec, topic, events.length);
    return { real, noop: bare };
  } finally {
    await topic.remove();
  }
}
