import { randomUUID } from 'node:crypto';
import { TOPICS } from '../../platform/kafka/topics';
import { adminToken, client, type Client } from '../support/http';
import { findEvent } from '../support/kafka';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';

describe('checkout saga end to end (API + worker + gateway simulator)', () => {
  const server = useServer({ worker: true, paymentExpirySeconds: 8 });
  let api: Client;
  let admin: string;

  const stock = async (productId: string) => (await api.get(`/products/${productId}/inventory`)).body;
  const payment = async (token: string, orderId: string) => (await api.get(`/payments/${orderId}`, token)).body;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('pays: stock deducted, order paid, cart cleared, order.paid published', async () => {
    const productId = await newProduct(api, admin, 5, '50000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'awaiting_payment',
      // 2 × 50 000 + Jakarta → Bandung regular, 600 g → 1 kg × 18 000
      amount: { subtotal: '100000.00', shipping_amount: '18000.00', total_amount: '118000.00', currency: 'IDR' },
    });
    expect(res.body.order_number).toMatch(/^PSR-\d{6}-[0-9A-F]{8}$/);
    expect(await stock(productId)).toMatchObject({ quantity: 5, reserved: 2, available: 3 });

    const confirm = await api.post(
      '/payments/confirm',
      { order_id: res.body.order_id, card_number: CARDS.ok },
      me.token,
    );
    expect(confirm.status).toBe(202);
    const order = await orderStatus(api, me.token, res.body.order_id, 'paid');
    expect(order).toMatchObject({
      total_amount: '118000.00',
      items: [{ product_id: productId, quantity: 2, unit_price: '50000.00' }],
    });
    expect(order.shipping_address).toMatchObject({ city_name: 'Kota Bandung', postal_code: '40161' });
    await waitFor('stock deducted', async () => (await stock(productId)).quantity === 3);
    expect(await stock(productId)).toMatchObject({ quantity: 3, reserved: 0, available: 3 });
    expect((await payment(me.token, res.body.order_id)).status).toBe('success');
    expect((await api.get('/cart', me.token)).body.items).toEqual([]);
    const paid = await findEvent(
      server().deps.kafka,
      TOPICS.orders.name,
      (e) => e.aggregate_id === order.id && e.type === 'order.paid',
    );
    expect(paid.data).toMatchObject({ order_number: order.order_number, total_amount: '118000.00' });
    const created = await findEvent(
      server().deps.kafka,
      TOPICS.orders.name,
      (e) => e.aggregate_id === order.id && e.type === 'order.created',
    );
    expect(created.id).not.toBe(paid.id);

    // An operator finds the saga by order number (a search attribute) and sees where it ended.
    const found = await waitFor('the saga in visibility', async () => {
      const list = [];
      for await (const wf of server().deps.temporal.client.workflow.list({
        query: `OrderNumber = "${order.order_number}"`,
      }))
        list.push(wf);
      return list.length === 1 && list[0]!.searchAttributes.OrderStatus?.[0] === 'paid' ? list : undefined;
    });
    expect(found[0]!.workflowId).toBe(res.body.workflow_id);
  });

  it('declined: compensated, stock back, order cancelled', async () => {
    const productId = await newProduct(api, admin, 3);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 3 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(await stock(productId)).toMatchObject({ reserved: 3, available: 0 });
    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.declined }, me.token);
    const order = await orderStatus(api, me.token, res.body.order_id, 'cancelled');
    expect(order.cancel_reason).toBe('payment_failed');
    expect(await stock(productId)).toMatchObject({ quantity: 3, reserved: 0, available: 3 });
    expect((await payment(me.token, res.body.order_id)).status).toBe('failed');
    // The cart is kept, so the shopper can try another card.
    expect((await api.get('/cart', me.token)).body.items).toHaveLength(1);
  });

  it('expires when the webhook never comes: compensated', async () => {
    const productId = await newProduct(api, admin, 2);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.silent }, me.token);
    const order = await orderStatus(api, me.token, res.body.order_id, 'cancelled', 30_000);
    expect(order.cancel_reason).toBe('expired');
    expect(await stock(productId)).toMatchObject({ reserved: 0, available: 2 });
    expect((await payment(me.token, res.body.order_id)).status).toBe('expired');
  });

  it('a retried POST /checkout with the same key returns the same order and starts no second saga', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const key = randomUUID();
    const replies = await Promise.all([1, 2, 3].map(() => checkout(api, me.token, me.address_id, key)));
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(new Set(replies.map((r) => r.body.order_id)).size).toBe(1);
    expect(new Set(replies.map((r) => r.body.order_number)).size).toBe(1);
    expect(await stock(productId)).toMatchObject({ reserved: 1 });
    expect((await api.get('/orders', me.token)).body.total).toBe(1);
  });

  it('refuses a checkout it cannot fulfil with a clear 4xx, leaving nothing behind', async () => {
    const productId = await newProduct(api, admin, 2);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    await api.put(`/products/${productId}/inventory`, { quantity: 1 }, admin); // stock sold elsewhere meanwhile
    const res = await checkout(api, me.token, me.address_id);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'insufficient_stock', details: { product_id: productId } });
    expect(await stock(productId)).toMatchObject({ quantity: 1, reserved: 0 });

    const noKey = await api.post('/checkout', { address_id: me.address_id }, me.token);
    expect(noKey.status).toBe(400);
    expect(JSON.stringify(noKey.body.error.details)).toContain('idempotency-key');
  });
});
