/**
 * Promotion spend on the dashboard (issue 22, item 2): what vouchers took off orders, per day and
 * per voucher, counted by the rule of GMV (counted_orders): a card order on the day it was paid, a
 * COD order on the day its cash was collected, and none once refunded. The histories are the ones
 * the shop writes (services/orders/store.ts: order.paid and order.confirmed name the order's
 * vouchers), each event checked against the catalog and handed twice (a redelivery) to the real
 * analytics consumer, into a ClickHouse database of this test's own; the figures are read through
 * the real API.
 */
import { randomUUID } from 'node:crypto';
import { parseEvent, type CatalogEvent } from '../../platform/event-catalog';
import { createLogger } from '../../platform/logger';
import { createAnalyticsConsumer } from '../../services/analytics/consumer';
import { fromSen, toSen } from '../../services/analytics/money';
import { addDays, bucketsBetween, isoDay } from '../../services/analytics/periods';
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
    occurred_at: `${day}T10:15:00.000Z`,
    version: 1,
    data,
  });
  if (!parsed.ok) throw new Error(`${type} is not catalog-valid: ${parsed.error}`);
  return parsed.event;
}

interface Voucher {
  voucher_id: string;
  code: string;
  name: string;
  kind: 'shipping' | 'discount';
}

const voucher = (kind: Voucher['kind'], code: string, name: string): Voucher => ({
  voucher_id: randomUUID(),
  code,
  name,
  kind,
});

/** An order with its vouchers (each with what it took off) and the events of its life. */
function order(subtotal: string, shipping: string, used: { voucher: Voucher; amount: string }[]) {
  const orderId = randomUUID();
  const userId = randomUUID();
  const productId = randomUUID();
  const off = (kind: Voucher['kind']) =>
    used.filter((u) => u.voucher.kind === kind).reduce((s, u) => s + toSen(u.amount), 0n);
  const discount = off('discount');
  const shippingDiscount = off('shipping');
  const total = fromSen(toSen(subtotal) + toSen(shipping) - discount - shippingDiscount);
  const items = [{ product_id: productId, quantity: 1, unit_price: subtotal }];
  const head = { order_id: orderId, order_number: `PSR-PROMO-${orderId.slice(0, 8)}`, user_id: userId };
  // As the order store writes them: every change carries the discounts; the selling ones name the vouchers.
  const change = (status: string, reason: string | null, selling: boolean) => ({
    ...head,
    status,
    total_amount: total,
    discount_amount: fromSen(discount),
    shipping_discount: fromSen(shippingDiscount),
    ...(selling ? { vouchers: used.map((u) => ({ ...u.voucher, amount: u.amount })) } : {}),
    reason,
    items,
  });
  const payment = (method: string) => ({
    order_id: orderId,
    transaction_id: randomUUID(),
    amount: total,
    currency: 'IDR',
    gateway_event_id: `evt-${orderId}`,
    reason: null,
    method,
    method_detail: null,
  });
  return {
    created: (day: string) => [event('order.created', orderId, day, { ...head, subtotal, items })],
    paidByCard: (day: string) => [
      event('payment.succeeded', orderId, day, payment('card')),
      event('order.paid', orderId, day, change('paid', null, true)),
    ],
    confirmedCod: (day: string) => [event('order.confirmed', orderId, day, change('confirmed', null, true))],
    collected: (day: string) => [event('payment.succeeded', orderId, day, payment('cod'))],
    refunded: (day: string) => [event('order.refunded', orderId, day, change('refunded', 'complaint accepted', false))],
  };
}

describe('promotion spend on the analytics dashboard', () => {
  const database = useAnalyticsDatabase();
  const server = useServer({ configure: (c) => ({ ...c, clickhouse: { ...c.clickhouse, database } }) });
  let api: Client;
  let admin: string;
  // Days before today: within the 7-day window even if the clock passes midnight during the test.
  const today = isoDay(new Date());
  const day = (n: number) => addDays(today, -n);

  const lebaran = voucher('discount', 'LEBARAN7KX', 'Diskon Lebaran');
  const ongkir = voucher('shipping', 'ONGKIR9QZ', 'Gratis Ongkir Jawa');
  const orders = {
    // Card, both vouchers, paid on day 3.
    both: order('150000.00', '18000.00', [
      { voucher: lebaran, amount: '12345.67' },
      { voucher: ongkir, amount: '18000.00' },
    ]),
    // Cash on delivery with free shipping: confirmed on day 3, collected on day 2 (its sale day).
    cod: order('80000.00', '15000.00', [{ voucher: ongkir, amount: '10000.50' }]),
    // Card, no voucher, paid on day 3: sold, no spend.
    plain: order('60000.00', '9000.00', []),
    // Card with the discount, paid on day 2, refunded on day 1: taken back, spend and all.
    refunded: order('90000.00', '9000.00', [{ voucher: lebaran, amount: '20000.00' }]),
  };

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    const events = [
      ...orders.both.created(day(3)),
      ...orders.both.paidByCard(day(3)),
      ...orders.cod.created(day(3)),
      ...orders.cod.confirmedCod(day(3)),
      ...orders.cod.collected(day(2)),
      ...orders.plain.created(day(3)),
      ...orders.plain.paidByCard(day(3)),
      ...orders.refunded.created(day(2)),
      ...orders.refunded.paidByCard(day(2)),
      ...orders.refunded.refunded(day(1)),
    ];
    const consumer = createAnalyticsConsumer(server().services, createLogger('silent'));
    const ctx = { topic: 'outbox', partition: 0, offset: '0', headers: {} };
    for (let round = 0; round < 2; round++) for (const e of events) await consumer.handle(e, ctx);
  }, 60_000);

  it('counts spend per day on the sale day of sold orders only, lines and shipping apart', async () => {
    const res = await api.get('/analytics/dashboard', admin);
    expect(res.status).toBe(200);
    const week = res.body.windows['7d'];
    const spent: Record<string, { orders: number; discount: string; shipping_discount: string }> = {
      // The card order with both vouchers; the plain one was sold that day too but cost nothing.
      [day(3)]: { orders: 1, discount: '12345.67', shipping_discount: '18000.00' },
      // The COD order, on the day its cash was collected; the refunded order's day is empty again.
      [day(2)]: { orders: 1, discount: '0.00', shipping_discount: '10000.50' },
    };
    const none = { orders: 0, discount: '0.00', shipping_discount: '0.00' };
    expect(week.promotion_spend).toEqual({
      orders: 2,
      discount: '12345.67',
      shipping_discount: '28000.50',
      total: '40346.17',
      by_day: bucketsBetween(week.from, week.to, 'day').map((date) => ({ date, ...(spent[date] ?? none) })),
      by_voucher: [
        { ...ongkir, orders: 2, spend: '28000.50' },
        // Used twice, but the refunded order's Rp20.000 is taken back with its sale.
        { ...lebaran, orders: 1, spend: '12345.67' },
      ],
    });
    expect(week.promotion_spend.by_day).toHaveLength(7);
    // The same orders as GMV: the three sold, the refunded one not.
    expect(week.paid_orders).toBe(3);
  });

  it('shows nothing for a window without sold discounted orders', async () => {
    const res = await api.get('/analytics/dashboard', admin);
    const todays = res.body.windows.today.promotion_spend;
    expect(todays).toEqual({
      orders: 0,
      discount: '0.00',
      shipping_discount: '0.00',
      total: '0.00',
      by_day: [{ date: res.body.windows.today.from, orders: 0, discount: '0.00', shipping_discount: '0.00' }],
      by_voucher: [],
    });
  });
});
