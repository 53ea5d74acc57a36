/**
 * Every forward step has its undo: a permanent failure right after the stock was deducted puts
 * the stock back exactly once, refunds the payment and cancels the order. And once the order is
 * paid, a failure of a later tidy-up step never undoes it.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';

const permanently = (step: string) => async () => {
  throw ApplicationFailure.nonRetryable(`${step} injected to fail for good`, 'injected_failure');
};

describe('a permanent failure after the stock was deducted', () => {
  const server = useServer({
    worker: true,
    overrideActivities: () => ({ markOrderPaid: permanently('markOrderPaid') }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('restocks once, refunds the payment and cancels the order', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const opened = await checkout(api, me.token, me.address_id);
    expect(opened.body.status).toBe('awaiting_payment');
    const orderId = opened.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);

    const order = await orderStatus(api, me.token, orderId, 'cancelled');
    expect(order.cancel_reason).toBe('injected_failure');
    await waitFor(
      'the refund webhook',
      async () => (await api.get(`/payments/${orderId}`, me.token)).body.status === 'refunded',
    );
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 5, reserved: 0 });
    const reservations = await server().services.inventory.reservations(orderId);
    expect(reservations).toEqual([{ product_id: productId, quantity: 2, status: 'restocked' }]);
    // Exactly once: running the undo again changes nothing.
    await server().services.inventory.restock(orderId);
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 5, reserved: 0 });
  });
});

describe('a permanent failure after the order was paid', () => {
  const server = useServer({
    worker: true,
    overrideActivities: () => ({ clearCart: permanently('clearCart') }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('keeps the order paid and the money taken', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const opened = await checkout(api, me.token, me.address_id);
    const orderId = opened.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    const handle = server().deps.temporal.client.workflow.getHandle(opened.body.workflow_id);
    expect((await handle.result()).step).toBe('paid');
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('paid');
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('success');
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 4, reserved: 0 });
  });
});
