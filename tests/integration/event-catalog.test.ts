/**
 * The event catalog's contract (platform/event-catalog.ts): every event the code produces
 * validates. Real flows through the API and the checkout saga (register, disable and enable; product create, edit and
 * stock set; checkout to paid then a refund; a cancelled checkout; a declined card; a cash-on-delivery order confirmed; a complaint; a signed-in
 * product view) write their events to the outbox (the view straight to Kafka); every envelope is read back and parsed by `parseEvent`, the
 * consumers' entry, and every type in the catalog must have been seen. A producer emitting data
 * the catalog refuses fails inside its own transaction (enqueueEvent validates), as the last
 * test shows.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, parseEvent } from '../../platform/event-catalog';
import { eventFromGateway, RESULT_EVENTS } from '../../services/payments/webhook-rules';
import { checkoutWith, orderPaid } from '../support/payments';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent, InvalidEventError } from '../../platform/outbox/outbox';
import { adminToken, client, signUp, type Client } from '../support/http';
import { findEvent } from '../support/kafka';
import { useServer } from '../support/server';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';

describe('event catalog contract', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  async function awaitingPayment(productId: string, quantity = 1) {
    const me = await shopperWithCart(api, [{ product_id: productId, quantity }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    return { me, orderId: res.body.order_id as string };
  }

  const paymentStatus = (orderId: string, token: string, status: string) =>
    waitFor(`payment ${status}`, async () => (await api.get(`/payments/${orderId}`, token)).body.status === status);

  it('every event the flows produce validates, and every catalog type is produced', async () => {
    const keys: string[] = [];
    const shopper = await signUp(api);
    keys.push(shopper.id);
    // An operator disables and enables an account (user.status_changed); its sessions end, so another's.
    const operated = await signUp(api);
    keys.push(operated.id);
    expect((await api.post(`/admin/users/${operated.id}/disable`, undefined, admin)).status).toBe(200);
    expect((await api.post(`/admin/users/${operated.id}/enable`, undefined, admin)).status).toBe(200);

    const productId = await newProduct(api, admin, 10);
    keys.push(productId);
    expect((await api.patch(`/products/${productId}`, { name: 'Kopi Gayo Wine 200 g' }, admin)).status).toBe(200);
    expect((await api.put(`/products/${productId}/inventory`, { quantity: 20 }, admin)).status).toBe(200);

    // Paid, then cancelled by the shopper: refunded and restocked.
    const paid = await awaitingPayment(productId, 2);
    keys.push(paid.orderId, paid.me.id);
    await api.post('/payments/confirm', { order_id: paid.orderId, card_number: CARDS.ok }, paid.me.token);
    await orderStatus(api, paid.me.token, paid.orderId, 'paid');
    expect((await api.post(`/orders/${paid.orderId}/cancel`, undefined, paid.me.token)).status).toBe(202);
    await orderStatus(api, paid.me.token, paid.orderId, 'refunded');
    await paymentStatus(paid.orderId, paid.me.token, 'refunded');

    // Cancelled while awaiting payment: the reservation is released.
    const cancelled = await awaitingPayment(productId);
    keys.push(cancelled.orderId, cancelled.me.id);
    await api.post(`/orders/${cancelled.orderId}/cancel`, undefined, cancelled.me.token);
    await orderStatus(api, cancelled.me.token, cancelled.orderId, 'cancelled');

    // A declined card.
    const declined = await awaitingPayment(productId);
    keys.push(declined.orderId, declined.me.id);
    await api.post('/payments/confirm', { order_id: declined.orderId, card_number: CARDS.declined }, declined.me.token);
    await orderStatus(api, declined.me.token, declined.orderId, 'cancelled');

    // Cash on delivery: confirmed without a payment (order.confirmed; payment.started of method cod).
    const onDelivery = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const confirmed = await checkoutWith(api, onDelivery.token, onDelivery.address_id, { type: 'cod' });
    expect(confirmed.body.status).toBe('confirmed');
    keys.push(confirmed.body.order_id, onDelivery.id);

    // Shipping, through the stores the shipment workflow's activities call: one order delivered and
    // completed (stuck once on the way), one returned. Both start paid.
    const { shipments, fulfilment } = server().services;
    for (const ending of ['completed', 'returned'] as const) {
      const order = await awaitingPayment(productId);
      keys.push(order.orderId, order.me.id);
      await api.post('/payments/confirm', { order_id: order.orderId, card_number: CARDS.ok }, order.me.token);
      await orderStatus(api, order.me.token, order.orderId, 'paid');
      const s = await shipments.ensure({
        orderId: order.orderId,
        orderNumber: 'PSR-CATALOG',
        userId: order.me.id,
        workflowId: `shipment-${order.orderId}`,
        destination: {},
        shippingCost: '18000.00',
      });
      const reference = s.id;
      await shipments.recordBooking(s.id, {
        attempt: 1,
        carrier: 'jne',
        service: 'REG',
        awb: `JNE-${s.id}`,
        reference,
      });
      await fulfilment.advance(order.orderId, 'processing', s.id);
      const event = (status: 'picked_up' | 'delivered' | 'returned_to_sender', position: number) => ({
        event_id: `${s.id}-${position}`,
        awb: `JNE-${s.id}`,
        reference,
        carrier: 'jne' as const,
        status,
        position,
        occurred_at: new Date().toISOString(),
      });
      await shipments.recordEvent(s.id, event('picked_up', 3), 'picked_up', true);
      await fulfilment.advance(order.orderId, 'shipped', s.id);
      if (ending === 'completed') {
        await shipments.setStuck(s.id, true, new Date().toISOString());
        await shipments.recordEvent(s.id, event('delivered', 7), 'delivered', true);
        await fulfilment.advance(order.orderId, 'delivered', s.id);
        await fulfilment.advance(order.orderId, 'completed', s.id);
        // Then its settled payment is denied (as reconciliation would find it at the gateway):
        // payment.reversed, and, the parcel being delivered, payment.reversal_flagged for an operator.
        const txn = await server().deps.db.transaction.findUniqueOrThrow({ where: { order_id: order.orderId } });
        const denied = eventFromGateway(
          {
            transaction_id: txn.gateway_transaction_id!,
            order_id: order.orderId,
            gross_amount: txn.amount.toFixed(2),
            currency: txn.currency,
            payment_type: 'credit_card',
            transaction_status: 'deny',
            status_code: '202',
            status_message: 'deny transaction',
            transaction_time: new Date().toISOString(),
          },
          RESULT_EVENTS.deny!,
        );
        await server().services.settlement.receive(denied, 'reconciliation');
        await paymentStatus(order.orderId, order.me.token, 'reversed');
      } else {
        await shipments.recordEvent(s.id, event('returned_to_sender', 9), 'returned', true);
        await fulfilment.advance(order.orderId, 'returned', s.id);
      }
    }

    // A complaint on a delivered order, through the store the complaint workflow's activities call:
    // opened, moved, resolved.
    const complained = await awaitingPayment(productId);
    keys.push(complained.orderId, complained.me.id);
    await api.post('/payments/confirm', { order_id: complained.orderId, card_number: CARDS.ok }, complained.me.token);
    // Paid or later: npm start's consumers may already move it to processing (it is set delivered below).
    await orderPaid(api, complained.me.token, complained.orderId);
    await server().deps.db.order.update({ where: { id: complained.orderId }, data: { status: 'delivered' } });
    const { complaints } = server().services;
    const { complaint } = await complaints.open(
      {
        orderId: complained.orderId,
        userId: complained.me.id,
        reason: 'damaged',
        description: 'The jar arrived cracked.',
        evidenceUrls: [],
      },
      (id) => `complaint-${id}`,
    );
    keys.push(complaint.id);
    const deadline = new Date(Date.now() + 60_000).toISOString();
    await complaints.recordState({
      complaintId: complaint.id,
      state: 'awaiting_seller',
      deadline,
      step: 1,
      cause: 'opened',
    });
    await complaints.recordState({
      complaintId: complaint.id,
      state: 'withdrawn',
      deadline: null,
      step: 2,
      cause: 'buyer:withdraw',
      outcome: 'withdrawn',
    });

    // product.viewed goes to Kafka straight from the API (not through the outbox): read it there.
    await api.get(`/products/${productId}`, shopper.token);
    const view = await findEvent(server().deps.kafka, TOPICS.views.name, (e) => e.data?.user_id === shopper.id);

    const outbox = await server().deps.db.outboxEvent.findMany({
      where: { key: { in: keys } },
      orderBy: { sequence: 'asc' },
    });
    // cart.item_added is sent the same way (services/analytics/cart-events.ts): the paid shopper's first add.
    const cartAdd = await findEvent(
      server().deps.kafka,
      TOPICS.views.name,
      (e) => e.type === 'cart.item_added' && e.data?.user_id === paid.me.id,
    );
    // search.no_results is sent the same way (services/analytics/search-events.ts): a search that found nothing.
    const nothing = `zq${randomUUID()
      .replace(/[^a-f]/g, '')
      .slice(0, 8)}`;
    expect((await api.get(`/search?q=${nothing}`)).body.total).toBe(0);
    const miss = await findEvent(
      server().deps.kafka,
      TOPICS.views.name,
      (e) => e.type === 'search.no_results' && e.data?.query === nothing,
    );
    const rows = [
      ...outbox,
      { id: view.id, type: view.type, payload: view as unknown },
      { id: cartAdd.id, type: cartAdd.type, payload: cartAdd as unknown },
      { id: miss.id, type: miss.type, payload: miss as unknown },
    ];
    const problems = rows.flatMap((r) => {
      const parsed = parseEvent(r.payload);
      return parsed.ok ? [] : [`${r.type} ${r.id}: ${parsed.error}`];
    });
    expect(problems).toEqual([]);
    // Every payment event says how the order is paid (issue 21), refunds and reversals too: the
    // dashboard's method mix reads them, and a consumer of a refund need not look the method up.
    const payments = rows.filter((r) => r.type.startsWith('payment.'));
    expect([...new Set(payments.map((r) => r.type))].sort()).toEqual(
      EVENT_TYPES.filter((t) => t.startsWith('payment.')).sort(),
    );
    for (const r of payments)
      expect({ type: r.type, data: (r.payload as any).data }).toMatchObject({
        type: r.type,
        data: {
          method: r.payload && (r.payload as any).data?.order_id === confirmed.body.order_id ? 'cod' : 'card',
          method_detail: null,
        },
      });
    const seen = [...new Set(rows.map((r) => r.type))].sort();
    const reasons = [
      ...new Set(rows.filter((r) => r.type === 'inventory.changed').map((r) => (r.payload as any).data.reason)),
    ];
    console.log(
      `${rows.length} events validated; types: ${seen.join(', ')}; stock reasons: ${reasons.sort().join(', ')}`,
    );
    expect(seen).toEqual([...EVENT_TYPES].sort());
    expect(reasons.sort()).toEqual([
      'order_refunded',
      'reservation_released',
      'reserved',
      'stock_deducted',
      'stock_set',
    ]);
  });

  it('a producer whose data breaks the catalog fails its own transaction and writes nothing', async () => {
    const { db } = server().deps;
    const aggregateId = randomUUID();
    const write = db.$transaction(async (tx) => {
      await enqueueEvent(tx, {
        topic: TOPICS.inventory,
        type: 'inventory.changed',
        aggregateId,
        data: {
          product_id: aggregateId,
          quantity: -1,
          reserved: 0,
          available: -1,
          reason: 'stock_set',
          order_id: null,
        },
      });
    });
    await expect(write).rejects.toThrow(InvalidEventError);
    await expect(write).rejects.toThrow(/data\.quantity/);
    expect(await db.outboxEvent.count({ where: { key: aggregateId } })).toBe(0);
  });
});
