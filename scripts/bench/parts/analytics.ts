/**
 * The analytics consumer against the real ClickHouse: N events (a third each `order.paid`,
 * `payment.succeeded`, `user.registered`), events/s against the same runtime with a no-op handler
 * over the same events; then ClickHouse must hold each event once and the paid total exactly.
 * It writes into a ClickHouse database of its own, dropped at the end, so the real figures are
 * untouched.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createClickHouse } from '../../../platform/clients/clickhouse';
import { migrateClickHouse } from '../../../platform/migrate/clickhouse';
import { createAnalyticsConsumer } from '../../../services/analytics/consumer';
import { createAnalyticsEventWriter } from '../../../services/analytics/event-writer';
import { benchEvent } from '../lib/events';
import { benchLogger, handlerRates } from '../lib/kafka';
import { round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

/** Each paid order's total, in sen. */
const PAID_SEN = 10_000_001;

function mixedEvent(i: number) {
  const user = randomUUID();
  const order = randomUUID();
  if (i % 3 === 0)
    return benchEvent('user.registered', user, {
      user_id: user,
      email: `b${i}@example.id`,
      first_name: 'B',
      last_name: 'B',
      phone: '+62811',
    });
  if (i % 3 === 1)
    return benchEvent('payment.succeeded', order, {
      order_id: order,
      transaction_id: randomUUID(),
      amount: '100000.01',
      currency: 'IDR',
      gateway_event_id: `e${i}`,
      reason: null,
    });
  return benchEvent('order.paid', order, {
    order_id: order,
    order_number: 'PSR-BENCH',
    user_id: user,
    status: 'paid',
    total_amount: (PAID_SEN / 100).toFixed(2),
    reason: null,
    items: [{ product_id: randomUUID(), quantity: 1, unit_price: '90000.01' }],
  });
}

export async function analyticsPart(ctx: BenchContext): Promise<PartResult> {
  const { url } = ctx.config.clickhouse;
  const database = `pasar_bench_${Date.now()}`;
  await migrateClickHouse(url, database, path.resolve('services/analytics/clickhouse'));
  const clickhouse = createClickHouse(url, database, ctx.config.dependencyTimeoutMs);
  try {
    const events = Array.from({ length: ctx.quick ? 300 : 5000 }, (_, i) => mixedEvent(i));
    const spec = createAnalyticsConsumer({ analyticsEvents: createAnalyticsEventWriter(clickhouse) }, benchLogger);
    const rates = await handlerRates(ctx.deps.kafka, spec, events);
    const rs = await clickhouse.query({
      query: `SELECT uniqExact(id) AS events, (SELECT sum(total_orders) FROM order_metrics) AS orders,
                     (SELECT toString(sum(total_revenue_sen)) FROM order_metrics) AS revenue_sen FROM events`,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ events: string; orders: string; revenue_sen: string }>();
    const paid = events.filter((e) => e.type === 'order.paid').length;
    const expected = { events: events.length, orders: paid, revenue_sen: paid * PAID_SEN };
    const found = { events: Number(row?.events), orders: Number(row?.orders), revenue_sen: Number(row?.revenue_sen) };
    if (JSON.stringify(found) !== JSON.stringify(expected))
      throw new Error(`ClickHouse holds ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
    return {
      figures: {
        events: events.length,
        consumer_events_per_second: round(rates.real),
        noop_events_per_second: round(rates.noop),
        paid_orders: paid,
      },
      ratios: [ratio('analytics consumer events/s vs no-op handler', rates.real, rates.noop, 'events/s')],
    };
  } finally {
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse.close();
  }
}
