/**
 * Consumer events/s: Pasar's consumer runtime (parse, type filter, commit, dead letters) with a
 * handler that does nothing, against a bare kafkajs consumer reading the same topic. Timed from
 * the first event handled to the last, so group joins do not count.
 */
import { randomUUID } from 'node:crypto';
import { createKafka } from '../../../platform/clients/kafka';
import { runConsumer } from '../../../platform/kafka/consumer';
import { createLogger } from '../../../platform/logger';
import { benchEvent } from '../lib/events';
import { round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

/** A valid catalog event (the runtime validates every event against the event catalog). */
function productEvent(i: number) {
  const id = randomUUID();
  const now = new Date().toISOString();
  const data = {
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
  };
  return benchEvent('product.upserted', id, data, now);
}

export async function consumersPart(ctx: BenchContext): Promise<PartResult> {
  const total = ctx.quick ? 300 : 10_000;
  const kafka = createKafka(ctx.config.kafka.brokers, 'pasar-bench', ctx.config.dependencyTimeoutMs);
  const topic = `bench.consumers.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < total; i += 1000) {
    const n = Math.min(1000, total - i);
    const messages = Array.from({ length: n }, (_, j) => ({
      key: String(i + j),
      value: JSON.stringify(productEvent(i + j)),
    }));
    await producer.send({ topic, messages });
  }
  await producer.disconnect();

  /** Runs until `total` events are handled; returns events/s from the first to the last. */
  const timed = async (start: (onEvent: () => void) => Promise<() => Promise<void>>) => {
    let handled = 0;
    let first = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const stop = await start(() => {
      if (handled++ === 0) first = performance.now();
      if (handled === total) done();
    });
    await finished;
    const seconds = Math.max(0.001, (performance.now() - first) / 1000);
    await stop();
    return total / seconds;
  };

  try {
    const bare = await timed(async (onEvent) => {
      const c = kafka.consumer({ groupId: `pasar.bench-bare.${randomUUID()}` });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      // Batches, as the runtime reads them: the bare ceiling of the same client.
      await c.run({
        eachBatch: async ({ batch, resolveOffset }) => {
          for (const message of batch.messages) {
            JSON.parse(String(message.value));
            onEvent();
            resolveOffset(message.offset);
          }
        },
      });
      return () => c.disconnect();
    });
    const runtime = await timed(async (onEvent) => {
      const c = runConsumer(
        kafka,
        {
          name: 'bench-noop',
          topics: [{ name: topic, partitions: 3, carries: 'bench events' }],
          types: ['product.upserted'],
          handle: async () => onEvent(),
        },
        { logger: createLogger('fatal', 'bench'), groupId: `pasar.bench.${randomUUID()}` },
      );
      return () => c.stop();
    });
    return {
      figures: { events: total, bare_events_per_second: round(bare), runtime_events_per_second: round(runtime) },
      ratios: [ratio('consumer runtime events/s vs bare kafkajs consumer', runtime, bare, 'events/s')],
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
