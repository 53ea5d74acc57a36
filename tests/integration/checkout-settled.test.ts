/**
 * A checkout key whose saga has closed answers with that saga's outcome and never starts another
 * run: the review found a retried POST /checkout, after the order was paid, reserving new stock
 * under the paid order and, at its expiry, refunding goods already sold.
 */
import { randomUUID } from 'node:crypto';
import { createCheckoutActivities } from '../../activities/checkout';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';

const EXPIRY_SECONDS = 4;

describe('a settled checkout is never reopened', () => {
  const server = useServer({ worker: true, paymentExpirySeconds: EXPIRY_SECONDS });
  let api: Client;
  let admin: string;

  const stock = async (productId: string) => (await api.get(`/products/${productId}/inventory`)).body;
  const paymentOf = async (token: string, orderId: string) => (await api.get(`/payments/${orderId}`, token)).body;
  const pastExpiry = () => new Promise((r) => setTimeout(r, (EXPIRY_SECONDS + 3) * 1000));

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('after payment: the same key answers "paid" and leaves a new cart line alone, even past the expiry', async () => {
    const first = await newProduct(api, admin, 5);
    const second = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: first, quantity: 1 }]);
    const key = randomUUID();
    const opened = await checkout(api, me.token, me.address_id, key);
    expect(opened.body.status).toBe('awaiting_payment');
    await api.post('/payments/confirm', { order_id: opened.body.order_id, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, opened.body.order_id, 'paid');

    expect((await api.post('/cart/items', { product_id: second, quantity: 2 }, me.token)).status).toBe(201);
    const retried = await checkout(api, me.token, me.address_id, key);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ order_id: opened.body.order_id, status: 'paid' });
    expect(await stock(second)).toMatchObject({ quantity: 5, reserved: 0 });

    await pastExpiry();
    expect((await api.get(`/orders/${opened.body.order_id}`, me.token)).body.status).toBe('paid');
    expect((await paymentOf(me.token, opened.body.order_id)).status).toBe('success');
    expect(await stock(first)).toMatchObject({ quantity: 4, reserved: 0 });
    expect(await stock(second)).toMatchObject({ quantity: 5, reserved: 0 });
    // The new line is still in the cart, for a checkout under a new key.
    expect((await api.get('/cart', me.token)).body.items).toMatchObject([{ product_id: second, quantity: 2 }]);
  });

  it('after a decline: the same key answers the decline and a new key is needed to try again', async () => {
    const first = await newProduct(api, admin, 5);
    const second = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: first, quantity: 1 }]);
    const key = randomUUID();
    const opened = await checkout(api, me.token, me.address_id, key);
    await api.post('/payments/confirm', { order_id: opened.body.order_id, card_number: CARDS.declined }, me.token);
    await orderStatus(api, me.token, opened.body.order_id, 'cancelled');

    await api.post('/cart/items', { product_id: second, quantity: 1 }, me.token);
    const retried = await checkout(api, me.token, me.address_id, key);
    expect(retried.status).toBe(409);
    expect(retried.body.error.message).toContain('new Idempotency-Key');
    expect(retried.body.error.details).toMatchObject({ order_id: opened.body.order_id });
    await pastExpiry();
    expect(await stock(second)).toMatchObject({ quantity: 5, reserved: 0 });
    expect((await paymentOf(me.token, opened.body.order_id)).status).toBe('failed');

    const fresh = await checkout(api, me.token, me.address_id);
    expect(fresh.body.status).toBe('awaiting_payment');
    expect(fresh.body.order_id).not.toBe(opened.body.order_id);
    expect(await stock(second)).toMatchObject({ reserved: 1 });
  });

  it('the stores refuse to reopen a paid order even if a second run got started', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const opened = await checkout(api, me.token, me.address_id);
    await api.post('/payments/confirm', { order_id: opened.body.order_id, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, opened.body.order_id, 'paid');
    await waitFor('stock deducted', async () => (await stock(productId)).quantity === 4);

    const { services } = server();
    const orderId = opened.body.order_id as string;
    await expect(services.inventory.reserve(orderId, [{ product_id: productId, quantity: 1 }])).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'order_settled' },
    });
    expect(await services.orders.cancel(orderId, 'late second run')).toBe(false);
    // The saga's payment undo refuses a paid order: its money moves only through the refund path.
    await expect(
      createCheckoutActivities(services).cancelPayment(orderId, 'expired', `test:${orderId}`),
    ).rejects.toMatchObject({ type: 'conflict' });
    const order = await services.orders.get(orderId);
    await expect(
      services.orders.createPending({
        id: orderId,
        order_number: order!.order_number,
        user_id: me.id,
        workflow_id: order!.workflow_id!,
        shipping_service: 'regular',
        shipping_address: {},
        lines: [],
      }),
    ).rejects.toMatchObject({ code: 'conflict', details: { reason: 'order_settled' } });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('paid');
    expect((await paymentOf(me.token, orderId)).status).toBe('success');
    expect(await stock(productId)).toMatchObject({ quantity: 4, reserved: 0 });
  });
});
