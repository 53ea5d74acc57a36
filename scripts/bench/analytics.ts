/**
 * `npm run bench:analytics -- [--events 5000]`: the analytics consumer against the real ClickHouse,
 * through the real consumer runtime. The consumer starts idle on a fresh 6-partition topic, then a
 * burst of N events (a third each order.paid, payment.succeeded, user.registered) is produced at
 * once; it prints events/s (first to last handled) and the lag recovery time (burst sent → every
 * event handled), then checks ClickHouse holds each event once and the paid total exactly. It
 * writes into a ClickHouse database of its own, dropped at the end, so the real figures are untouched.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createClickHouse } from '../../platform/clients/clickhouse';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps } from '../../platform/deps';
import type { EventEnvelope } from '../../platform/events';
import { runConsumer } from '../../platform/kafka/consumer';
import { benchEvent } from './lib/events';
import { createLogger } from '../../platform/logger';
import { migrateClickHouse } from '../../platform/migrate/clickhouse';
import { analyticsSpec } from '../../services/analytics/consumer';

const args = process.argv.slice(2);
const EVENTS = args.includes('--events') ? Number(args[args.indexOf('--events') + 1]) : 5000;
const PARTITIONS = 6;

const envelope = (type: string, key: string, data: object): EventEnvelope => benchEvent(type, key, data);

function burst(n: number): EventEnvelope[] {
  return Array.from({ length: n }, (_, i) => {
    const user = randomUUID();
    const order = randomUUID();
    if (i % 3 === 0)
      return envelope('user.registered', user, {
        user_id: user,
        email: `b${i}@example.id`,
        first_name: 'B',
        last_name: 'B',
        phone: '+62811',
      });
    if (i % 3 === 1)
      return envelope('payment.succeeded', order, {
        order_id: order,
        transaction_id: randomUUID(),
        amount: '100000.01',
        currency: 'IDR',
        gateway_event_id: `e${i}`,
        reason: null,
      });
    return envelope('order.paid', order, {
      order_id: order,
      order_number: 'PSR-BENCH',
      user_id: user,
      status: 'paid',
      total_amount: '100000.01',
      reason: null,
      items: [{ product_id: randomUUID(), quantity: 1, unit_price: '90000.01' }],
    });
  });
}

async function main() {
  const config = getConfig();
  const database = `pasar_bench_${Date.now()}`;
  await migrateClickHouse(config.clickhouse.url, database, path.resolve('services/analytics/clickhouse'));
  const deps = createDeps(config);
  const clickhouse = createClickHouse(config.clickhouse.url, database, config.dependencyTimeoutMs);
  const logger = createLogger('warn', 'bench');
  const topic = `bench.analytics.${randomUUID().slice(0, 8)}`;
  const admin = deps.kafka.admin();
  await admin.connect();
  const producer = deps.kafka.producer();
  await producer.connect();
  const spec = analyticsSpec(clickhouse, logger);
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    let handled = 0;
    let first = 0;
    let last = 0;
    const running = runConsumer(
      deps.kafka,
      {
        ...spec,
        topics: [{ name: topic, partitions: PARTITIONS, carries: 'bench' }],
        handle: async (e, ctx) => {
          if (first === 0) first = performance.now();
          await spec.handle(e, ctx);
          handled += 1;
          last = performance.now();
        },
      },
      { logger, groupId: `bench-${randomUUID()}` },
    );
    while (running.state() !== 'running') await new Promise((r) => setTimeout(r, 50));
    const events = burst(EVENTS);
    const sent = performance.now();
    for (let i = 0; i < events.length; i += 500)
      await producer.send({
        topic,
        messages: events
          .slice(i, i + 500)
          .map((e) => ({ key: e.aggregate_id, value: JSON.stringify(e), headers: { event_type: e.type } })),
      });
    const produced = performance.now();
    while (handled < events.length) await new Promise((r) => setTimeout(r, 20));
    const rate = Math.round(events.length / ((last - first) / 1000));
    console.log(
      `analytics consumer: ${events.length} events, ${rate} events/s (${PARTITIONS} partitions, one consumer)`,
    );
    console.log(
      `burst produced in ${((produced - sent) / 1000).toFixed(2)} s; lag back to 0 after ${((last - sent) / 1000).toFixed(2)} s`,
    );
    await running.stop();

    const rs = await clickhouse.query({
      query: `SELECT uniqExact(id) AS events, (SELECT sum(total_orders) FROM order_metrics) AS orders,
                     (SELECT toString(sum(total_revenue_sen)) FROM order_metrics) AS revenue_sen FROM events`,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ events: string; orders: string; revenue_sen: string }>();
    const paid = events.filter((e) => e.type === 'order.paid').length;
    console.log(
      `ClickHouse: ${row?.events} distinct events (expected ${events.length}), ${row?.orders} paid orders (expected ${paid}), revenue ${row?.revenue_sen} sen (expected ${paid * 10000001})`,
    );
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse.close();
    await closeDeps(deps);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
