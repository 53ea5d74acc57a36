import { randomUUID } from 'node:crypto';
import type { CatalogEvent } from '../../platform/event-catalog';
import { toEventRow } from '../../services/analytics/rows';
import { useDeps } from '../support/deps';

/** An order.paid (or reversal) on a day of its own far in the future, so no other test's rows are in it. */
function orderEvent(type: 'order.paid' | 'order.refunded', orderId: string, day: string, total: string) {
  return {
    id: randomUUID(),
    type,
    aggregate_id: orderId,
    aggregate_version: type === 'order.paid' ? 2 : 3,
    occurred_at: `${day}T10:00:00.000Z`,
    version: 1,
    data: {
      order_id: orderId,
      order_number: 'PSR-TEST',
      user_id: randomUUID(),
      status: type === 'order.paid' ? 'paid' : 'refunded',
      total_amount: total,
      reason: null,
      items: [{ product_id: randomUUID(), quantity: 2, unit_price: '10000.05' }],
    },
  } as CatalogEvent;
}

const randomDay = () =>
  `20${String(Math.floor(Math.random() * 50) + 40)}-0${Math.floor(Math.random() * 9) + 1}-1${Math.floor(Math.random() * 9)}`;

describe('ClickHouse analytics tables', () => {
  const deps = useDeps();

  it('counts an event inserted three times once, and money exactly', async () => {
    const { clickhouse } = deps();
    const day = randomDay();
    const paid = [
      orderEvent('order.paid', randomUUID(), day, '20000.10'),
      orderEvent('order.paid', randomUUID(), day, '0.05'),
    ];
    // Each event three times, as a redelivery would: same id, same row.
    for (let i = 0; i < 3; i++)
      await clickhouse.insert({ table: 'events', values: paid.map(toEventRow), format: 'JSONEachRow' });
    const rs = await clickhouse.query({
      // ClickHouse 18.16 has no server-side query parameters; the day is our own.
      query: `SELECT total_orders, total_revenue_sen, avg_order_value_sen FROM order_metrics WHERE date = '${day}'`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ total_orders: string; total_revenue_sen: string; avg_order_value_sen: string }>();
    expect(rows).toEqual([{ total_orders: '2', total_revenue_sen: '2000015', avg_order_value_sen: '1000007' }]);
  });

  it('takes a refunded order back out of its paid day', async () => {
    const { clickhouse } = deps();
    const day = randomDay();
    const kept = randomUUID();
    const refunded = randomUUID();
    const events = [
      orderEvent('order.paid', kept, day, '50000.00'),
      orderEvent('order.paid', refunded, day, '70000.00'),
      orderEvent('order.refunded', refunded, day, '70000.00'),
    ];
    await clickhouse.insert({ table: 'events', values: events.map(toEventRow), format: 'JSONEachRow' });
    const rs = await clickhouse.query({
      query: `SELECT total_orders, total_revenue_sen FROM order_metrics WHERE date = '${day}'`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ total_orders: '1', total_revenue_sen: '5000000' }]);
  });
});
