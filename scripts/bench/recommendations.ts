/**
 * `npm run bench:recommendations -- [--orders 3000]`: events/s of the recommendation consumer
 * against the real Redis, through the real consumer runtime. Produces N `order.paid` (3 lines
 * each, from a pool of 200 made-up products), N `product.viewed` and N `order.refunded` to a
 * fresh topic, runs the consumer on it and prints events/s per kind. The refunds take back every
 * paid order, and the views' and orders' keys are deleted, so the bench leaves no trace in the
 * real lists (the made-up products would otherwise crowd `rec:popular`).
 */
import { randomUUID } from 'node:crypto';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps } from '../../platform/deps';
import type { EventEnvelope } from '../../platform/events';
import { runConsumer } from '../../platform/kafka/consumer';
import { benchEvent } from './lib/events';
import { createLogger } from '../../platform/logger';
import { createRecommendationConsumer } from '../../services/recommendations/consumer';
import { recKeys } from '../../services/recommendations/keys';

const args = process.argv.slice(2);
const ORDERS = args.includes('--orders') ? Number(args[args.indexOf('--orders') + 1]) : 3000;
const PARTITIONS = 6;

const envelope = (type: string, key: string, data: object): EventEnvelope => benchEvent(type, key, data);

async function main() {
  const deps = createDeps(getConfig());
  const logger = createLogger('warn', 'bench');
  const products = Array.from({ length: 200 }, () => randomUUID());
  const pick = () => products[Math.floor(Math.random() * products.length)]!;
  const orders = Array.from({ length: ORDERS }, () => ({ id: randomUUID(), user: randomUUID() }));
  const order = (type: string, o: { id: string; user: string }, items: object[]) =>
    envelope(type, o.id, {
      order_id: o.id,
      order_number: 'PSR-BENCH',
      user_id: o.user,
      status: type.split('.')[1],
      total_amount: '120000.00',
      reason: null,
      items,
    });
  const lines = orders.map(() =>
    [pick(), pick(), pick()].map((p) => ({ product_id: p, quantity: 1, unit_price: '40000.00' })),
  );
  const phases: [string, EventEnvelope[]][] = [
    ['order.paid', orders.map((o, i) => order('order.paid', o, lines[i]!))],
    [
      'product.viewed',
      orders.map((o) =>
        envelope('product.viewed', o.user, {
          user_id: o.user,
          product_id: pick(),
          viewed_at: new Date().toISOString(),
        }),
      ),
    ],
    ['order.refunded', orders.map((o, i) => order('order.refunded', o, lines[i]!))],
  ];

  const topics = phases.map(() => `bench.recommendations.${randomUUID().slice(0, 8)}`);
  const admin = deps.kafka.admin();
  await admin.connect();
  const producer = deps.kafka.producer();
  await producer.connect();
  const spec = createRecommendationConsumer(deps, logger);
  try {
    // All topics first: a producer whose metadata still names a deleted topic cannot send.
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
      waitForLeaders: true,
    });
    for (const [index, [type, events]] of phases.entries()) {
      const topic = topics[index]!;
      for (let i = 0; i < events.length; i += 500)
        await producer.send({
          topic,
          messages: events
            .slice(i, i + 500)
            .map((e) => ({ key: e.aggregate_id, value: JSON.stringify(e), headers: { event_type: e.type } })),
        });
      let handled = 0;
      let started = 0;
      const running = runConsumer(
        deps.kafka,
        {
          ...spec,
          topics: [{ name: topic, partitions: PARTITIONS, carries: type }],
          handle: async (e, ctx) => {
            if (started === 0) started = performance.now();
            await spec.handle(e, ctx);
            handled += 1;
          },
        },
        { logger, groupId: `bench-${randomUUID()}` },
      );
      while (handled < events.length) await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${type.padEnd(15)} ${events.length} events in ${seconds.toFixed(2)} s: ${Math.round(events.length / seconds)} events/s`,
      );
      await running.stop();
    }
    const leftovers = orders.flatMap((o) => [
      recKeys.order(o.id),
      recKeys.userViewed(o.user),
      recKeys.userBought(o.user),
      recKeys.user(o.user),
    ]);
    for (let i = 0; i < leftovers.length; i += 1000) await deps.redis.del(...leftovers.slice(i, i + 1000));
    const left = await Promise.all(products.map((p) => deps.redis.exists(recKeys.similar(p))));
    console.log(`bought-together sets left after the refunds: ${left.reduce((a, b) => a + b, 0)} (expected 0)`);
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await closeDeps(deps);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
