import { randomUUID } from 'node:crypto';
import { unique, useDeps } from '../support/deps';

describe('ClickHouse', () => {
  const deps = useDeps();

  it('inserts events and aggregates them', async () => {
    const { clickhouse } = deps();
    const eventType = unique('test.event');
    const userId = randomUUID();
    await clickhouse.insert({
      table: 'events',
      format: 'JSONEachRow',
      values: [1, 2, 3].map((n) => ({
        id: randomUUID(),
        event_type: eventType,
        user_id: userId,
        data: JSON.stringify({ n }),
      })),
    });
    const rs = await clickhouse.query({
      // ClickHouse 18.16 has no server-side query parameters; the value is our own generated id.
      query: `SELECT count() AS c, uniqExact(user_id) AS users FROM events WHERE event_type = '${eventType}'`,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ c: string | number; users: string | number }>();
    expect(Number(row?.c)).toBe(3);
    expect(Number(row?.users)).toBe(1);
  });

  it('sums order metrics per day in the SummingMergeTree', async () => {
    const { clickhouse } = deps();
    const date = `20${String(Math.floor(Math.random() * 50) + 40)}-01-0${Math.floor(Math.random() * 9) + 1}`;
    await clickhouse.insert({
      table: 'order_metrics',
      format: 'JSONEachRow',
      // ClickHouse 18.16 rejects decimals given as quoted strings in JSONEachRow; numbers are fine.
      values: [
        { date, total_orders: 2, total_revenue: 150000.5, avg_order_value: 75000.25 },
        { date, total_orders: 1, total_revenue: 49999.5, avg_order_value: 49999.5 },
      ],
    });
    const rs = await clickhouse.query({
      query: `SELECT sum(total_orders) AS orders, toString(sum(total_revenue)) AS revenue FROM order_metrics WHERE date = '${date}'`,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ orders: string | number; revenue: string }>();
    expect(Number(row?.orders)).toBeGreaterThanOrEqual(3);
    expect(Number(row?.revenue) % 200000).toBe(0);
  });
});
