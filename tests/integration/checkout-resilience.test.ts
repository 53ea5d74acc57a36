import { signNotification } from '../../contracts/payment-notification';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';
import { notificationOf, postNotification, postRawNotification } from '../support/webhooks';
import { orderPaid } from '../support/payments';

describe('checkout under duplicates, forgeries, cancellations and refunds', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;
  const gateway = () => server().config.payments.gatewayUrl;
  const stock = async (productId: string) => (await api.get(`/products/${productId}/inventory`)).body;

  async function awaitingPayment(quantity = 1, stockQty = 5) {
    const productId = await newProduct(api, admin, stockQty);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    return { productId, me, orderId: res.body.order_id as string };
  }

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('the same webhook delivered three times makes one payment and one order.paid', async () => {
    const { me, orderId } = await awaitingPayment();
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    await fetch(`${gateway()}/_sim/intents/${txn.gateway_transaction_id}/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duplicates: 2 }),
    });
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);

    const { db } = server().deps;
    const events = await db.webhookEvent.findMany({ where: { order_id: orderId } });
    expect(events).toHaveLength(1);
    const deliveries = await waitFor('three deliveries', async () => {
      const all = (await (await fetch(`${gateway()}/_sim/deliveries`)).json()) as {
        deliveries: { event_id: string; delivered: boolean }[];
      };
      const mine = all.deliveries.filter((d) => d.event_id === events[0]!.event_id && d.delivered);
      return mine.length === 3 ? mine : undefined;
    });
    expect(deliveries).toHaveLength(3);
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'payment.succeeded' } })).toBe(1);
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'order.paid' } })).toBe(1);
    expect(await db.transaction.count({ where: { order_id: orderId } })).toBe(1);
  });

  it('refuses a forged or altered notification, and a late contradicting one', async () => {
    const { me, orderId, productId } = await awaitingPayment();
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    expect(
      (await postNotification(server(), notificationOf(txn, 'settlement'), 'SB-Mid-server-forged-key')).status,
    ).toBe(401);
    const pending = signNotification(notificationOf(txn, 'pending'), server().config.payments.serverKey);
    expect((await postRawNotification(server(), { ...pending, transaction_status: 'settlement' })).status).toBe(401);
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');

    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);
    // Correctly signed, but the gateway's status API says captured: a deny now is not believed.
    const late = await postNotification(server(), notificationOf(txn, 'deny'));
    expect(late.status).toBe(401);
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('success');
    await orderPaid(api, me.token, orderId); // still paid (or shipping), never cancelled
    expect(await stock(productId)).toMatchObject({ quantity: 4, reserved: 0 });
  });

  it('cancel while waiting for payment: the saga compensates', async () => {
    const { me, orderId, productId } = await awaitingPayment(2);
    const res = await api.post(`/orders/${orderId}/cancel`, undefined, me.token);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('cancelling');
    const order = await orderStatus(api, me.token, orderId, 'cancelled');
    expect(order.cancel_reason).toBe('cancelled');
    expect(await stock(productId)).toMatchObject({ quantity: 5, reserved: 0, available: 5 });
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('cancelled');
    expect((await api.post(`/orders/${orderId}/cancel`, undefined, me.token)).status).toBe(409);
  });

  it('cancelling a paid, unshipped order refunds it and restocks', async () => {
    const { me, orderId, productId } = await awaitingPayment(2);
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);
    expect(await stock(productId)).toMatchObject({ quantity: 3, reserved: 0 });

    const res = await api.post(`/orders/${orderId}/cancel`, undefined, me.token);
    expect(res.body.status).toBe('refunding');
    await orderStatus(api, me.token, orderId, 'refunded');
    expect(await stock(productId)).toMatchObject({ quantity: 5, reserved: 0 });
    await waitFor(
      'refund webhook',
      async () => (await api.get(`/payments/${orderId}`, me.token)).body.status === 'refunded',
    );
  });

  it("keeps one shopper out of another's orders and payments", async () => {
    const { orderId } = await awaitingPayment();
    const other = await shopperWithCart(api, []);
    expect((await api.get(`/orders/${orderId}`, other.token)).status).toBe(404);
    expect((await api.post(`/orders/${orderId}/cancel`, undefined, other.token)).status).toBe(404);
    expect((await api.get(`/payments/${orderId}`, other.token)).status).toBe(404);
    expect(
      (await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, other.token)).status,
    ).toBe(404);
    expect((await api.get('/orders', other.token)).body.data).toEqual([]);
  });
});
