/**
 * Consumers for integration tests: `useConsumers()` runs chosen ConsumerSpecs in-process through
 * the real runtime, each in a group of its own (so two tests never take each other's messages),
 * and stops them after the file. `testTopic()` creates a topic no other test or relay writes to.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { ISocketFactory, Kafka } from 'kafkajs';
import type { EventType, TypedEvent } from '../../platform/event-catalog';
import type { EventEnvelope } from '../../platform/events';
import type { ConsumerSpec, EventOf } from '../../platform/kafka/consumer-spec';
import { runConsumer, type RunConsumerOptions, type RunningConsumer } from '../../platform/kafka/consumer';
import type { TopicSpec } from '../../platform/kafka/topics';
import { createLogger } from '../../platform/logger';
import { unique } from './deps';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test-consumers');

export type TestConsumerOptions = Omit<RunConsumerOptions, 'logger'> & {
  logger?: RunConsumerOptions['logger'];
  /** Another client than the shared one (e.g. one whose connections a test can cut). */
  kafka?: Kafka;
};

/** `start(spec)` runs a spec in a unique group (`pasar.<name>.<unique>` unless given); all stop after the file. */
export function useConsumers(kafka: () => Kafka) {
  const running: RunningConsumer[] = [];
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
  });
  return {
    start<K extends EventType>(
      spec: ConsumerSpec<K>,
      { kafka: client, ...options }: TestConsumerOptions = {},
    ): RunningConsumer {
      const c = runConsumer(client ?? kafka(), spec, {
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

/**
 * The spec, calling `onEvent` with each event before handling it, whether the runtime hands it
 * over alone (`handle`) or in a batch (`handleBatch`, kept when the spec has one). An event a failed
 * batch hands to `handle` again is seen twice.
 */
export function observed<K extends EventType>(spec: ConsumerSpec<K>, onEvent: (event: EventOf<K>) => void) {
  const watched: ConsumerSpec<K> = {
    ...spec,
    handle: async (event, ctx) => {
      onEvent(event);
      await spec.handle(event, ctx);
    },
  };
  const { handleBatch } = spec;
  if (handleBatch)
    watched.handleBatch = async (events) => {
      for (const { event } of events) onEvent(event);
      await handleBatch.call(spec, events);
    };
  return watched;
}

/**
 * Commits `groupId`'s offsets at the current end of `topics`, so a consumer then started in that
 * group takes every event from now on and none from before. A new group reading a shared topic
 * from the beginning first churns through everything the suite (and earlier runs) ever published
 * there; with `fromBeginning: false` instead, events sent before the group is assigned its
 * partitions are lost.
 */
export async function commitTopicEnds(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
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
export function productEvent(
  v = 1,
  productId: string = randomUUID(),
  name = 'Kopi Susu Gula Aren',
): TypedEvent<'product.upserted'> {
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

/**
 * A socket factory for kafkajs whose connections a test can cut (every open socket destroyed, new
 * ones refused) and restore, as if the broker went away for this client only: the shared Kafka
 * keeps running for every other test.
 */
export function cuttableLink() {
  const sockets = new Set<Socket>();
  let cut = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    // Port 1 on loopback: nothing listens there, so a connection made while cut is refused at once.
    const socket = cut ? connect({ host: '127.0.0.1', port: 1 }) : connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  return {
    socketFactory,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy(new Error('connection cut by the test'));
    },
    restore() {
      cut = false;
    },
  };
}
