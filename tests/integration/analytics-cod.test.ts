/**
 * Cash on delivery on the dashboard (issue 21): a COD order is sold when the courier collects the
 * cash (payment.succeeded, method cod), on that day, with the lines and total of its
 * order.confirmed; one refused at the door, or withdrawn before pickup, never counts; one collected
 * and then refunded is taken back like a card order. The histories are the ones the shop writes
 * (services/orders/store.ts, services/payments/cod.ts), each event checked against the catalog and
 * handed twice (a redelivery) to the real analytics consumer, into a ClickHouse database of this
 * test's own; the figures are read through the real API.
 */
import { randomUUID } from 'node:crypto';
import { parseEvent, type CatalogEvent } from '../../platform/event-catalog';
import { createLogger } from '../../platform/logger';
import { createAnalyticsConsumer } from '../../services/analytics/consumer';
import { fromSen, toSen } from '../../services/analytics/money';
import { addDays, isoDay } from '../../services/analytics/periods';
import { useAnalyticsDatabase } from '../support/analytics';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';

/** An event as the outbox holds it, refused here (not by a dashboard figure) if the catalog would refuse it. */
function event(type: string, aggregateId: string, day: string, data: Record<string, unknown>): CatalogEvent {
  const parsed = parseEvent({
    id: randomUUID(),
    type,
    aggregate_id: aggregateId,
    aggregate_version: 1,
    occurred_at: `${day}T09:30:00.000Z`,
    version: 1,
    data,
  });
  if (!parsed.ok) throw new Error(`${type} is not catalog-valid: ${parsed.error}`);
  return parsed.event;
}

interface Line {
  product_id: string;
  quantity: number;
  unit_price: string;
}

/** One shopper's order and everything that happens to it, day by day. */
function shopper(registeredOn: string) {
  const userId = randomUUID();
  const events: CatalogEvent[] = [
    event('user.registered', userId, registeredOn, {
      user_id: userId,
      email: `cod-${userId.slice(0, 8)}@example.id`,
      first_name: 'Siti',
      last_name: 'Rahayu',
      phone: '+62811000000',
    }),
  ];
  return { userId, events };
}

function order(userId: string, items: Line[], shipping: string) {
  const orderId = randomUUID();
  const transactionId = randomUUID();
  const subtotal = items.reduce((s, l) => s + toSen(l.unit_price) * BigInt(l.quantity), 0n);
  const total = fromSen(subtotal + toSen(shipping));
  const head = { order_id: orderId, order_number: `PSR-COD-${orderId.slice(0, 8)}`, user_id: userId };
  const change = (status: string, reason: string | null) => ({ ...head, status, total_amount: total, reason, items });
  const payment = (method: string, gatewayEventId: string, reason: string | null) => ({
    order_id: orderId,
    transaction_id: transactionId,
    amount: total,
    currency: 'IDR',
    gateway_event_id: gatewayEventId,
    reason,
    method,
    method_detail: null,
  });
  const progress = (status: string) => ({ ...head, status, shipment_id: randomUUID() });
  return {
    orderId,
    total,
    created: (day: string, method: string) => [
      event('order.created', orderId, day, { ...head, subtotal: fromSen(subtotal), items }),
      event('payment.started', orderId, day, {
        order_id: orderId,
        transaction_id: transactionId,
        amount: total,
        currency: 'IDR',
        method,
        method_detail: null,
      }),
    ],
    paidByCard: (day: string) => [
      event('payment.succeeded', orderId, day, payment('card', `evt-${orderId}`, null)),
      event('order.paid', orderId, day, change('paid', null)),
    ],
    declined: (day: string) => [
      event('payment.failed', orderId, day, payment('card', `evt-${orderId}`, 'card_declined')),
      event('order.cancelled', orderId, day, change('cancelled', 'payment_declined')),
    ],
    confirmed: (day: string) => [
      event('order.confirmed', orderId, day, change('confirmed', null)),
      event('order.shipped', orderId, day, progress('shipped')),
    ],
    collected: (day: string) => [
      event('payment.succeeded', orderId, day, payment('cod', `cod-collected:${orderId}`, null)),
      event('order.delivered', orderId, day, progress('delivered')),
    ],
    refused: (day: string) => [
      event('order.returned', orderId, day, progress('returned')),
      event('payment.failed', orderId, day, payment('cod', `cod-not-collected:${orderId}`, 'not_collected')),
    ],
    withdrawn: (day: string) => [
      event('payment.failed', orderId, day, payment('cod', `cod-not-collected:${orderId}`, 'not_collected')),
      event('order.cancelled', orderId, day, change('cancelled', 'withdrawn before pickup')),
    ],
    refunded: (day: string) => [event('order.refunded', orderId, day, change('refunded', 'complaint accepted'))],
  };
}

function product(name: string, day: string) {
  const id = randomUUID();
  const at = `${day}T08:00:00.000Z`;
  const e = event('product.upserted', id, day, {
    id,
    sku: `COD-${id.slice(0, 8)}`,
    name,
    description: '',
    price: '60000.00',
    category: 'groceries',
    status: 'active',
    weight_grams: 500,
    available: 10,
    in_stock: true,
    created_at: at,
    updated_at: at,
  });
  return { id, event: e };
}

describe('analytics of cash-on-delivery orders', () => {
  const database = useAnalyticsDatabase();
  const server = useServer({ configure: (c) => ({ ...c, clickhouse: { ...c.clickhouse, database } }) });
  let api: Client;
  let admin: string;
  // Days before today: within the 7-day window even if the clock passes midnight during the test.
  const today = isoDay(new Date());
  const day = (n: number) => addDays(today, -n);
  const products = {
    card: product('Kopi Toraja', day(5)),
    cod: product('Sambal Bu Rudy', day(5)),
    refused: product('Kerupuk Udang', day(5)),
    withdrawn: product('Teh Tarik', day(5)),
    refunded: product('Gula Aren', day(5)),
    declined: product('Madu Hutan', day(5)),
  };
  const line = (p: { id: string }, quantity: number, unit_price: string) => [
    { product_id: p.id, quantity, unit_price },
  ];
  const shoppers = {
    card: shopper(day(5)),
    cod: shopper(day(5)),
    refused: shopper(day(5)),
    withdrawn: shopper(day(5)),
    refunded: shopper(day(5)),
    declined: shopper(day(5)),
  };
  const orders = {
    card: order(shoppers.card.userId, line(products.card, 2, '50000.00'), '12000.00'),
    cod: order(shoppers.cod.userId, line(products.cod, 3, '60000.50'), '18000.00'),
    refused: order(shoppers.refused.userId, line(products.refused, 1, '75000.00'), '18000.00'),
    withdrawn: order(shoppers.withdrawn.userId, line(products.withdrawn, 1, '40000.00'), '9000.00'),
    refunded: order(shoppers.refunded.userId, line(products.refunded, 1, '80000.00'), '9000.00'),
    declined: order(shoppers.declined.userId, line(products.declined, 1, '30000.00'), '9000.00'),
  };

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    const events = [
      ...Object.values(products).map((p) => p.event),
      ...Object.values(shoppers).flatMap((s) => s.events),
      // Card: paid on day 4.
      ...orders.card.created(day(4), 'card'),
      ...orders.card.paidByCard(day(4)),
      // Card, declined on day 4: a checkout cancelled before it completed.
      ...orders.declined.created(day(4), 'card'),
      ...orders.declined.declined(day(4)),
      // COD: confirmed and shipped on day 4, the cash collected on day 2.
      ...orders.cod.created(day(4), 'cod'),
      ...orders.cod.confirmed(day(4)),
      ...orders.cod.collected(day(2)),
      // COD refused at the door on day 2: returned, nothing collected.
      ...orders.refused.created(day(4), 'cod'),
      ...orders.refused.confirmed(day(4)),
      ...orders.refused.refused(day(2)),
      // COD withdrawn before pickup on day 3: cancelled, nothing collected.
      ...orders.withdrawn.created(day(4), 'cod'),
      ...orders.withdrawn.confirmed(day(4)),
      ...orders.withdrawn.withdrawn(day(3)),
      // COD collected on day 3, refunded on day 1 (a complaint).
      ...orders.refunded.created(day(4), 'cod'),
      ...orders.refunded.confirmed(day(4)),
      ...orders.refunded.collected(day(3)),
      ...orders.refunded.refunded(day(1)),
    ];
    const consumer = createAnalyticsConsumer(server().services, createLogger('silent'));
    const ctx = { topic: 'outbox', partition: 0, offset: '0', headers: {} };
    for (let round = 0; round < 2; round++) for (const e of events) await consumer.handle(e, ctx);
  }, 60_000);

  it('counts a card order on the day it was paid and a COD order on the day its cash was collected', async () => {
    const res = await api.get(`/analytics/orders?from=${day(5)}&to=${day(1)}&granularity=day`, admin);
    expect(res.status).toBe(200);
    const zero = { orders: 0, revenue: '0.00', average_order_value: '0.00' };
    expect(res.body.data).toEqual([
      { period_start: day(5), ...zero },
      // The day the COD orders were confirmed and shipped: only the card order is sold.
      { period_start: day(4), orders: 1, revenue: orders.card.total, average_order_value: orders.card.total },
      // Collected on day 3 but refunded since: taken back. Withdrawn on day 3: never counted.
      { period_start: day(3), ...zero },
      // Collected on day 2, at the order's total (lines and shipping); the refused parcel is not.
      { period_start: day(2), orders: 1, revenue: orders.cod.total, average_order_value: orders.cod.total },
      { period_start: day(1), ...zero },
    ]);
    expect(orders.cod.total).toBe('198001.50');
  });

  it('gives the dashboard GMV, top products and payments from collected COD orders alongside card ones', async () => {
    const res = await api.get('/analytics/dashboard', admin);
    expect(res.status).toBe(200);
    const week = res.body.windows['7d'];
    expect(week.gmv).toBe(fromSen(toSen(orders.card.total) + toSen(orders.cod.total)));
    expect(week.paid_orders).toBe(2);
    expect(week.refunded_orders).toBe(1);
    // Only the card order and the collected one: refused, withdrawn and refunded lines never show.
    expect(week.top_products).toEqual([
      { product_id: products.cod.id, name: 'Sambal Bu Rudy', category: 'groceries', units: 3, revenue: '180001.50' },
      { product_id: products.card.id, name: 'Kopi Toraja', category: 'groceries', units: 2, revenue: '100000.00' },
    ]);
    expect(week.top_categories).toEqual([{ category: 'groceries', units: 5, revenue: '280001.50' }]);
    // A COD payment ends succeeded at the door or failed (not_collected) when nothing came.
    expect(week.payments).toEqual({ succeeded: 3, failed: 3 });
    // The declined card checkout was cancelled; the withdrawn COD order had completed its checkout.
    expect(week.checkouts).toEqual({ created: 6, expired: 0, cancelled: 1 });
    expect(week.payment_methods).toEqual([
      { method: 'cod', started: 4, paid: 2, share: 0.6667, conversion: 0.5 },
      { method: 'card', started: 2, paid: 1, share: 0.3333, conversion: 0.5 },
    ]);
  });

  it('counts the COD shopper as converted in the funnel once the order is confirmed, and as paid once collected', async () => {
    const week = (await api.get('/analytics/dashboard', admin)).body.windows['7d'];
    expect(week.funnel).toEqual({
      registered: 6,
      added_to_cart: 0,
      checked_out: 6,
      ordered: 5, // the card payer and the four COD shoppers; not the declined card
      paid: 3, // the card payer and the two COD shoppers whose cash was collected
    });
  });
});
