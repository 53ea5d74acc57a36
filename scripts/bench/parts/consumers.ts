/**
 * The consumer runtime's own cost. Events/s: Pasar's runtime (parse, type filter, commit, dead
 * letters) with a handler that does nothing, event by event and in batches (`handleBatch`),
 * against a bare kafkajs consumer reading the same topic, timed from the first event handled to
 * the last so group joins do not count. Dead letters: a poisoned event from its send to its
 * arrival on the dead-letter topic, against the same reader's arrival time for the event on its
 * own topic.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { runConsumer } from '../../../platform/kafka/consumer';
import { productUpserted } from '../lib/events';
import { benchLogger, benchTopic, produce } from '../lib/kafka';
import { percentile, round, sleep } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

/** Runs until `total` events are handled; returns events/s from the first to the last. */
async function timed(total: number, start: (onEvent: () => void) => Promise<() => Promise<void>>) {
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
}

async function throughput(kafka: Kafka, total: number) {
  const topic = await benchTopic(kafka, 'bench.consumers', 3);
  try {
    await produce(
      kafka,
      topic.name,
      Array.from({ length: total }, (_, i) => productUpserted(`BENCH-${i}`, 'Kopi Susu Gula Aren')),
    );
    const bare = await timed(total, async (onEvent) => {
      const c = kafka.consumer({ groupId: `pasar.bench-bare.${randomUUID()}` });
      await c.connect();
      await c.subscribe({ topic: topic.name, fromBeginning: true });
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
    const runtime = await timed(total, async (onEvent) => {
      const c = runConsumer(
        kafka,
        {
          name: 'bench-noop',
          topics: [{ name: topic.name, partitions: topic.partitions, carries: 'bench events' }],
          types: ['product.upserted'],
          handle: async () => onEvent(),
        },
        { logger: benchLogger, groupId: `pasar.bench.${randomUUID()}` },
      );
      return () => c.stop();
    });
    // The batch path: every partition of a fetch handed over at once to a handleBatch that does nothing.
    const batched = await timed(total, async (onEvent) => {
      const c = runConsumer(
        kafka,
        {
          name: 'bench-noop-batch',
          topics: [{ name: topic.name, partitions: topic.partitions, carries: 'bench events' }],
          types: ['product.upserted'],
          handle: async () => onEvent(),
          handleBatch: async (events) => events.forEach(() => onEvent()),
        },
        { logger: benchLogger, groupId: `pasar.bench.${randomUUID()}` },
      );
      return () => c.stop();
    });
    return { bare, runtime, batched };
  } finally {
    await topic.remove();
  }
}

/** ms from each poisoned event's send to its arrival straight off its topic and on the dead-letter topic. */
async function deadLetterLatencies(kafka: Kafka, samples: number) {
  const [source, parking] = [await benchTopic(kafka, 'bench.poison', 1), await benchTopic(kafka, 'bench.dlq', 1)];
  const running = runConsumer(
    kafka,
    {
      name: 'bench-poison',
      topics: [{ name: source.name, partitions: 1, carries: 'poisoned events' }],
      types: ['product.upserted'],
      handle: async () => undefined,
    },
    { logger: benchLogger, groupId: `pasar.bench.${randomUUID()}`, deadLetterTopic: parking.name },
  );
  const reader = kafka.consumer({ groupId: `pasar.bench-reader.${randomUUID()}` });
  const producer = kafka.producer();
  const arrived = new Map([source.name, parking.name].map((t) => [t, [] as number[]]));
  const direct: number[] = [];
  const parked: number[] = [];
  try {
    await Promise.all([reader.connect(), producer.connect()]);
    await reader.subscribe({ topics: [source.name, parking.name], fromBeginning: true });
    await reader.run({ eachMessage: async ({ topic }) => void arrived.get(topic)!.push(performance.now()) });
    // Sample 0 is the warm-up: once it is back on both topics, both groups have joined.
    for (let i = 0; i <= samples; i++) {
      const sent = performance.now();
      await producer.send({ topic: source.name, messages: [{ key: 'k', value: '{"not": json' }] });
      const deadline = Date.now() + 60_000;
      while (arrived.get(source.name)!.length <= i || arrived.get(parking.name)!.length <= i) {
        if (Date.now() > deadline) throw new Error(`poisoned event ${i} not on the dead-letter topic after 60 s`);
        await sleep(2);
      }
      if (i === 0) continue;
      direct.push(arrived.get(source.name)![i]! - sent);
      parked.push(arrived.get(parking.name)![i]! - sent);
    }
  } finally {
    await Promise.allSettled([producer.disconnect(), reader.disconnect(), running.stop()]);
    await Promise.all([source.remove(), parking.remove()]);
  }
  return { direct, parked };
}

export async function consumersPart(ctx: BenchContext): Promise<PartResult> {
  const total = ctx.quick ? 300 : 10_000;
  const { bare, runtime, batched } = await throughput(ctx.deps.kafka, total);
  const { direct, parked } = await deadLetterLatencies(ctx.deps.kafka, ctx.quick ? 3 : 20);
  const [directP50, parkedP50] = [percentile(direct, 50), percentile(parked, 50)];
  return {
    figures: {
      events: total,
      bare_events_per_second: round(bare),
      runtime_events_per_second: round(runtime),
      runtime_batch_events_per_second: round(batched),
      poisoned_events: parked.length,
      dead_letter_p50_ms: Math.round(parkedP50),
      dead_letter_max_ms: Math.round(Math.max(...parked)),
    },
    ratios: [
      ratio('consumer runtime events/s vs bare kafkajs consumer', runtime, bare, 'events/s'),
      ratio('consumer runtime with handleBatch events/s vs bare kafkajs consumer', batched, bare, 'events/s'),
      ratio(
        'poisoned event on the dead-letter topic p50 vs read off its own topic p50 (lower is better)',
        parkedP50,
        directP50,
        'ms',
      ),
    ],
  };
}
