/**
 * The consumer runtime's own cost (not a timed test): events/s through a consumer whose handler
 * does nothing, on a fresh 1- and 6-partition topic, and how long a poisoned event takes to reach
 * the dead-letter topic. A real consumer's rate is this ceiling minus its handler's work.
 *
 *   npm run bench:consumers -- [events=20000]
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../platform/clients/kafka';
import { getConfig } from '../../platform/config';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { runConsumer } from '../../platform/kafka/consumer';
import { createLogger } from '../../platform/logger';
import { benchEvent } from './lib/events';

const total = Number(process.argv[2] ?? 20_000);
const config = getConfig();
const kafka = createKafka(config.kafka.brokers, 'pasar-bench', config.dependencyTimeoutMs);
const logger = createLogger('fatal', 'bench');

function envelope(i: number) {
  const id = randomUUID();
  const now = new Date().toISOString();
  return benchEvent(
    'product.upserted',
    id,
    {
      id,
      sku: `BENCH-${i}`,
      name: 'Kopi Susu Gula Aren',
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
    now,
  );
}

async function freshTopic(k: Kafka, partitions: number) {
  const name = `bench.consumers.${randomUUID().slice(0, 8)}`;
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  return { name, partitions, carries: 'bench events' };
}

async function fill(topic: string, values: string[]) {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < values.length; i += 1000) {
    await producer.send({
      topic,
      messages: values.slice(i, i + 1000).map((value, j) => ({ key: String(i + j), value })),
    });
  }
  await producer.disconnect();
}

async function throughput(partitions: number) {
  const topic = await freshTopic(kafka, partitions);
  await fill(
    topic.name,
    Array.from({ length: total }, (_, i) => JSON.stringify(envelope(i))),
  );
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const spec: ConsumerSpec = {
    name: 'bench-noop',
    topics: [topic],
    types: ['product.upserted'],
    handle: async () => {
      if (++handled === total) done();
    },
  };
  const started = performance.now();
  const c = runConsumer(kafka, spec, { logger, groupId: `pasar.bench.${randomUUID()}` });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await c.stop();
  console.log(
    `${partitions} partition(s): ${total} events in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} events/s (group join included)`,
  );
}

async function poisonLatency(samples = 10) {
  const topic = await freshTopic(kafka, 1);
  const spec: ConsumerSpec = {
    name: 'bench-poison',
    topics: [topic],
    types: ['product.upserted'],
    handle: async () => {},
  };
  const dlq = `bench.dlq.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: dlq, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const c = runConsumer(kafka, spec, { logger, groupId: `pasar.bench.${randomUUID()}`, deadLetterTopic: dlq });
  const reader = kafka.consumer({ groupId: `pasar.bench-reader.${randomUUID()}` });
  await reader.connect();
  await reader.subscribe({ topic: dlq, fromBeginning: true });
  const arrived: number[] = [];
  await reader.run({ eachMessage: async () => void arrived.push(performance.now()) });
  await new Promise((r) => setTimeout(r, 3000)); // both groups joined
  const latencies: number[] = [];
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < samples; i++) {
    const sent = performance.now();
    await producer.send({ topic: topic.name, messages: [{ key: 'k', value: '{"not": json' }] });
    while (arrived.length <= i) await new Promise((r) => setTimeout(r, 2));
    latencies.push(arrived[i]! - sent);
  }
  await producer.disconnect();
  await reader.disconnect();
  await c.stop();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
  console.log(
    `poisoned event → dead-letter topic (sent to read back): p50 ${p(0.5)} ms, max ${p(1)} ms over ${samples}`,
  );
}

await throughput(1);
await throughput(6);
await poisonLatency();
