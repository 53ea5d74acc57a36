/**
 * Consumers for integration tests: `useConsumers()` runs chosen ConsumerSpecs in-process through
 * the real runtime, each in a group of its own (so two tests never take each other's messages),
 * and stops them after the file. `testTopic()` creates a topic no other test or relay writes to.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventEnvelope } from '../../platform/events';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { runConsumer, type RunConsumerOptions, type RunningConsumer } from '../../platform/kafka/consumer';
import type { TopicSpec } from '../../platform/kafka/topics';
import { createLogger } from '../../platform/logger';
import { unique } from './deps';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test-consumers');

export type TestConsumerOptions = Omit<RunConsumerOptions, 'logger'> & { logger?: RunConsumerOptions['logger'] };

/** `start(spec)` runs a spec in a unique group (`pasar.<name>.<unique>` unless given); all stop after the file. */
export function useConsumers(kafka: () => Kafka) {
  const running: RunningConsumer[] = [];
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
  });
  return {
    start(spec: ConsumerSpec, options: TestConsumerOptions = {}): RunningConsumer {
      const c = runConsumer(kafka(), spec, {
        logger,
        groupId: unique(`pasar.${spec.name}`),
        retry: { initialDelayMs: 50, maxDelayMs: 200 },
        ...options,
      });
      running.push(c);
      return c;
    },
    /** Stops one early (the rest stop after the file). */
    async stop(c: RunningConsumer) {
      running.splice(running.indexOf(c), 1);
      await c.stop();
    },
  };
}

/** Creates a fresh topic (and waits for its leaders) that only this test writes to. */
export async function testTopic(kafka: Kafka, partitions = 1): Promise<TopicSpec> {
  const topic = { name: unique('test.consumer'), partitions, carries: 'test events' };
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: topic.name, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** A valid `product.upserted` envelope (version `v`) for a fresh or given product id. */
export function productEvent(v = 1, productId: string = randomUUID(), name = 'Kopi Susu Gula Aren'): EventEnvelope {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    type: 'product.upserted',
    aggregate_id: productId,
    aggregate_version: v,
    occurred_at: now,
    version: 1,
    data: {
      id: productId,
      sku: `SKU-${productId.slice(0, 8)}`,
      name,
      description: '',
      price: '25000.00',
      category: 'groceries',
      status: 'active',
      weight_grams: 250,
      available: 10,
      in_stock: true,
      created_at: now,
      updated_at: now,
    },
  };
}

/** Sends raw values (or envelopes, serialised) to a topic, keyed as given, in order. */
export async function produce(
  kafka: Kafka,
  topic: string,
  messages: { key: string; value: string | EventEnvelope; headers?: Record<string, string> }[],
) {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: typeof m.value === 'string' ? m.value : JSON.stringify(m.value),
        headers: m.headers ?? (typeof m.value === 'string' ? {} : { event_type: m.value.type, event_id: m.value.id }),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}
