/**
 * Analytics end to end: a burst of paid, declined, expired and refunded checkouts through the real
 * API, worker, gateway and outbox; every event of the test's shoppers, products and orders goes
 * through the analytics consumer three times into a ClickHouse database of the test's own; the
 * dashboard then says what Postgres says. Plus admin-only, bad ranges, and ClickHouse down.
 */
import { parseEvent, type CatalogEvent } from '../../platform/event-catalog';
import { createAnalyticsConsumer } from '../../services/analytics/consumer';
import { createLogger } from '../../platform/logger';
import { fromSen, toSen } from '../../services/analytics/money';
import { useAnalyticsDatabase } from '../support/analytics';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkoutUntilSettled, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';

const EXPIRY_SECONDS = 6;

describe('analytics dashboard', () => {
  const database = useAnalyticsDatabase();
  const server = useServer({
    worker: true,
    paymentExpirySeconds: EXPIRY_SECONDS,
    configure: (c) => ({ ...c, clickhouse: { ...c.clickhouse, database } }),
  });
  let api: Client;
  let admin: string;
  let shopperToken: string;
  const users: string[] = [];
  const products: string[] = [];
  const orders: Record<'paid' | 'declined' | 'expired' | 'refunded', string[]> = {
    paid: [],
    declined: [],
    expired: [],
    refunded: [],
  };

  /** One shopper, one checkout of `quantity` units, paid with `card` (or left to expire). */
  async function buy(product: string, quantity: number, card?: string) {
    const me = await shopperWithCart(api, [{ product_id: product, quantity }]);
    users.push(me.id);
    shopperToken = me.token;
    const res = await checkoutUntilSettled(api, me.token, me.address_id);
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    if (card)
      expect(
        (await api.post('/payments/confirm', { order_id: orderId, card_number: card }, me.token)).status,
      ).toBeLessThan(300);
    return { orderId, token: me.token };
  }

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    products.push(await newProduct(api, admin, 100, '50000.00'), await newProduct(api, admin, 100, '12345.67'));
    const [a, b] = products as [string, string];
    const runs = await Promise.all([
      buy(a, 2, CARDS.ok),
      buy(b, 3, CARDS.ok),
      buy(a, 1, CARDS.ok),
      buy(b, 1, CARDS.declined),
      buy(a, 1, CARDS.declined),
      buy(b, 2, CARDS.silent),
      buy(a, 1, CARDS.ok),
    ]);
    const [p1, p2, p3, d1, d2, e1, r1] = runs as Required<typeof runs>;
    for (const p of [p1, p2, p3, r1]) await orderStatus(api, p.token, p.orderId, 'paid');
    expect((await api.post(`/orders/${r1.orderId}/cancel`, undefined, r1.token)).status).toBe(202);
    await orderStatus(api, r1.token, r1.orderId, 'refunded');
    for (const d of [d1, d2]) await orderStatus(api, d.token, d.orderId, 'cancelled');
    await orderStatus(api, e1.token, e1.orderId, 'cancelled', (EXPIRY_SECONDS + 30) * 1000);
    orders.paid.push(p1.orderId, p2.orderId, p3.orderId);
    orders.declined.push(d1.orderId, d2.orderId);
    orders.expired.push(e1.orderId);
    orders.refunded.push(r1.orderId);

    // Every event about the test's shoppers, products and orders, from the outbox, three times
    // through the consumer: what a redelivery after a crash or a dead-letter replay does.
    const allOrders = Object.values(orders).flat();
    const events = await waitFor('the refund and payment events in the outbox', async () => {
      const rows = await server().deps.db.$queryRaw<{ payload: unknown }[]>`
        SELECT payload FROM outbox.events
        WHERE key = ANY(${[...users, ...products, ...allOrders]}::text[])
           OR payload->'data'->>'order_id' = ANY(${allOrders}::text[])
        ORDER BY sequence`;
      const parsed = rows.map((r) => parseEvent(r.payload)).flatMap((p) => (p.ok ? [p.event] : []));
      const types = parsed.map((e) => e.type);
      return types.includes('order.refunded') && types.filter((t) => t === 'payment.failed').length >= 2 && parsed;
    });
    // Merges stopped on the test's own table: the duplicates stay on disk, so only the queries'
    // dedupe (not a lucky background merge of the ReplacingMergeTree) can keep them from counting.
    await server().deps.clickhouse.command({ query: `SYSTEM STOP MERGES ${database}.events` });
    const consumer = createAnalyticsConsumer(server().services, createLogger('silent'));
    const ctx = { topic: 'outbox', partition: 0, offset: '0', headers: {} };
    for (let round = 0; round < 3; round++) for (const e of events as CatalogEvent[]) await consumer.handle(e, ctx);
  }, 180_000);

  it("answers today's GMV and paid orders as Postgres counts them, however often events came", async () => {
    const raw = await server().deps.clickhouse.query({
      query: 'SELECT count() AS copies, uniqExact(id) AS events FROM events',
      format: 'JSONEachRow',
    });
    const [stored] = await raw.json<{ copies: string; events: string }>();
    expect(Number(stored!.copies)).toBe(3 * Number(stored!.events)); // every event really is there three times
    const [pg] = await server().deps.db.$queryRaw<{ n: bigint; total: string | null }[]>`
      SELECT count(*) AS n, sum(total_amount)::text AS total FROM orders.orders
      WHERE user_id = ANY(${users}::uuid[]) AND status IN ('paid', 'processing', 'shipped', 'delivered', 'completed')
        AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    const res = await api.get('/analytics/dashboard', admin);
    expect(res.status).toBe(200);
    const today = res.body.windows.today;
    expect(Number(pg!.n)).toBe(3);
    expect(today.paid_orders).toBe(3);
    expect(today.gmv).toBe(fromSen(toSen(pg!.total!)));
    expect(res.body.windows['7d'].gmv).toBe(today.gmv);
    expect(today.average_order_value).toBe(fromSen((toSen(pg!.total!) * 2n + 3n) / 6n));
    expect(today.refunded_orders).toBe(1);
    expect(today.payments).toEqual({ succeeded: 4, failed: 2 });
    expect(today.payment_success_rate).toBeCloseTo(4 / 6, 4);
    expect(today.checkouts).toEqual({ created: 7, expired: 1, cancelled: 2 });
    expect(today.new_shoppers).toBe(7);
    expect(today.funnel).toMatchObject({ registered: 7, checked_out: 7, ordered: 4, paid: 4 });
    const units = today.top_products.reduce((n: number, p: { units: number }) => n + p.units, 0);
    expect(units).toBe(6); // 2 + 3 + 1: the refunded order's unit is taken back out
    expect(today.top_products.map((p: { product_id: string }) => p.product_id).sort()).toEqual([...products].sort());
    const [lines] = await server().deps.db.$queryRaw<{ total: string }[]>`
      SELECT sum(total_amount)::text AS total FROM orders.order_items WHERE order_id = ANY(${orders.paid}::uuid[])`;
    const sum = (xs: { revenue: string }[]) => fromSen(xs.reduce((s, x) => s + toSen(x.revenue), 0n));
    expect(sum(today.top_products)).toBe(fromSen(toSen(lines!.total)));
    expect(sum(today.top_categories)).toBe(fromSen(toSen(lines!.total)));
    // Every checkout above is by card: 7 payments started, 4 paid.
    expect(today.payment_methods).toEqual([{ method: 'card', started: 7, paid: 4, share: 1, conversion: 0.5714 }]);
  });

  it('gives the daily series the same figures', async () => {
    const dash = (await api.get('/analytics/dashboard', admin)).body.windows.today;
    const res = await api.get(`/analytics/orders?from=${dash.from}&to=${dash.to}&granularity=day`, admin);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { period_start: dash.from, orders: 3, revenue: dash.gmv, average_order_value: dash.average_order_value },
    ]);
    const month = await api.get(`/analytics/orders?from=${dash.from}&to=${dash.to}&granularity=month`, admin);
    expect(month.body.data).toEqual([
      expect.objectContaining({ period_start: `${dash.from.slice(0, 7)}-01`, orders: 3 }),
    ]);
  });

  it("shows the method mix and each method's conversion (started → paid), from the payment events", async () => {
    const start = async (method: unknown) => {
      const me = await shopperWithCart(api, [{ product_id: products[0]!, quantity: 1 }]);
      users.push(me.id);
      const res = await checkoutWith(api, me.token, me.address_id, method);
      expect(res.body.status).toBe('awaiting_payment');
      return { me, orderId: res.body.order_id as string, instructions: res.body.payment.instructions };
    };
    const va = await start({ type: 'bank_transfer', bank: 'bca' });
    const qris = await start({ type: 'qris' }); // shown, never paid
    expect(
      (await atGateway(server().config.payments.gatewayUrl, `/_sim/va/${va.instructions.va_number}/pay`)).status,
    ).toBe(200);
    await orderPaid(api, va.me.token, va.orderId);
    const ids = [va.orderId, qris.orderId];
    const events = await waitFor('the VA payment.succeeded in the outbox', async () => {
      const rows = await server().deps.db.$queryRaw<{ payload: unknown }[]>`
        SELECT payload FROM outbox.events WHERE payload->'data'->>'order_id' = ANY(${ids}::text[]) ORDER BY sequence`;
      const parsed = rows.map((r) => parseEvent(r.payload)).flatMap((p) => (p.ok ? [p.event] : []));
      return parsed.some((e) => e.type === 'payment.succeeded') && parsed;
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'payment.started',
        data: expect.objectContaining({ order_id: qris.orderId, method: 'qris', method_detail: null }),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'payment.succeeded',
        data: expect.objectContaining({ order_id: va.orderId, method: 'bank_transfer', method_detail: 'bca' }),
      }),
    );
    const consumer = createAnalyticsConsumer(server().services, createLogger('silent'));
    const ctx = { topic: 'outbox', partition: 0, offset: '0', headers: {} };
    for (const e of events as CatalogEvent[]) await consumer.handle(e, ctx);

    const week = (await api.get('/analytics/dashboard', admin)).body.windows['7d'];
    expect(week.payment_methods).toEqual([
      { method: 'card', started: 7, paid: 4, share: 0.7778, conversion: 0.5714 },
      { method: 'bank_transfer', started: 1, paid: 1, share: 0.1111, conversion: 1 },
      { method: 'qris', started: 1, paid: 0, share: 0.1111, conversion: 0 },
    ]);
  });

  it('is for admins only', async () => {
    for (const path of ['/analytics/dashboard', '/analytics/orders']) {
      expect((await api.get(path, shopperToken)).status).toBe(403);
      expect((await api.get(path)).status).toBe(401);
    }
  });

  it('refuses bad ranges with a 400 naming the field', async () => {
    const bad = async (query: string, field: string) => {
      const res = await api.get(`/analytics/orders?${query}`, admin);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    };
    await bad('from=2026-11-30&to=2026-11-01', 'from');
    await bad('from=2020-01-01&to=2026-11-01', 'from');
    await bad('from=2026-02-30', 'from');
    await bad('to=yesterday', 'to');
    await bad('granularity=hour', 'granularity');
  });
});
