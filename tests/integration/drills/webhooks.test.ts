/**
 * Drill: webhooks that come late and out of order. A success delayed past the saga's payment
 * window is refunded (once); a success replayed after the order was refunded changes nothing.
 */
import { adminToken, client, type Client } from '../../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../../support/shop';
import { useServer } from '../../support/server';
import { postSignedWebhook } from '../../support/webhooks';

describe('drill: webhooks delayed past the saga and reordered', () => {
  const server = useServer({ worker: true, paymentExpirySeconds: 4 });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('a success that lands after the checkout expired is refunded exactly once', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkout(api, me.token, me.address_id);
    const orderId = res.body.order_id as string;
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    await fetch(`${server().config.payments.gatewayUrl}/_sim/intents/${txn.gateway_transaction_id}/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delay_ms: 7000, duplicates: 1 }),
    });
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);

    await orderStatus(api, me.token, orderId, 'cancelled', 20_000);
    await waitFor(
      'the refund to be confirmed',
      async () => (await api.get(`/payments/${orderId}`, me.token)).body.status === 'refunded',
      40_000,
    );
    await new Promise((r) => setTimeout(r, 4000)); // the delayed success and its duplicate land meanwhile
    const { db } = server().deps;
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('refunded');
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'payment.refunded' } })).toBe(1);
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'order.paid' } })).toBe(0);
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 5, reserved: 0 });
  });

  it('a success replayed after the refund changes nothing', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    const orderId = res.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    await api.post(`/orders/${orderId}/cancel`, undefined, me.token);
    await orderStatus(api, me.token, orderId, 'refunded');
    await waitFor('refunded', async () => (await api.get(`/payments/${orderId}`, me.token)).body.status === 'refunded');

    const { db } = server().deps;
    const [success] = await db.webhookEvent.findMany({
      where: { order_id: orderId, type: 'payment_intent.succeeded' },
    });
    const replay = await postSignedWebhook(server(), {
      ...(success!.payload as object),
      id: `${success!.event_id}_again`,
    });
    expect(replay.status).toBe(200);
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('refunded');
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('refunded');
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 5, reserved: 0 });
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'payment.refunded' } })).toBe(1);
  });
});
