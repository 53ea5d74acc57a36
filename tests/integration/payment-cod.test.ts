/**
 * Cash on delivery (issue 21, item 3) end to end, against the real stack: the checkout confirms the
 * order without a payment wait, `order.confirmed` starts the shipment (the real consumer runtime),
 * the worker books a COD parcel with the carrier simulator, and the carrier link brings its scans
 * back. The payment becomes `success` only at the delivered scan that carries the cash; a parcel
 * refused at the door comes back, restocked, with nothing to refund; COD's limits refuse at checkout
 * and say why in `GET /payments/methods`.
 */
import { adminToken, client, signUp, type Client } from '../support/http';
import { checkoutWith } from '../support/payments';
import { useServer } from '../support/server';
import { bandung, newProduct, orderStatus, waitFor } from '../support/shop';
import { testShipments, useShipmentPipeline } from './shipment-support';

const PAPUA = {
  ...bandung,
  province_id: 94,
  province_name: 'Papua',
  city_id: 9471,
  city_name: 'Kota Jayapura',
  district_id: 947101,
  district_name: 'Jayapura Utara',
  subdistrict_id: 94710101,
  subdistrict_name: 'Bhayangkara',
  street: 'Jl. Ahmad Yani No. 1',
  postal_code: '99111',
};

describe('cash on delivery', () => {
  jest.setTimeout(150_000);
  const server = useServer({
    worker: true,
    configure: (c) => ({ ...c, shipments: { ...c.shipments, ...testShipments } }),
  });
  const pipeline = useShipmentPipeline(server);
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  const db = () => server().deps.db;
  const txnOf = (orderId: string) => db().transaction.findUniqueOrThrow({ where: { order_id: orderId } });
  const stockOf = async (productId: string) =>
    db().inventory.findUniqueOrThrow({ where: { product_id: productId } });
  const orderEvents = async (orderId: string) =>
    (
      await db().outboxEvent.findMany({ where: { key: orderId, topic: 'pasar.orders' }, orderBy: { sequence: 'asc' } })
    ).map((e) => e.type);
  const paymentEvents = async (orderId: string) =>
    (
      await db().outboxEvent.findMany({ where: { key: orderId, topic: 'pasar.payments' }, orderBy: { sequence: 'asc' } })
    ).map((e) => ({ type: e.type, method: (e.payload as { data?: { method?: string } }).data?.method }));

  /** A shopper (followed by the shipment pipeline) with an address labelled for the carrier's scenario. */
  async function shopper(scenario: string, address: typeof bandung = bandung) {
    const me = await signUp(api);
    pipeline.follow(me.id);
    const res = await api.post('/users/me/addresses', { ...address, label: `carrier:${scenario}` }, me.token);
    expect(res.status).toBe(201);
    return { ...me, addressId: res.body.id as string };
  }

  async function codCheckout(me: { token: string; addressId: string }, productId: string, quantity = 2) {
    expect((await api.post('/cart/items', { product_id: productId, quantity }, me.token)).status).toBe(201);
    return checkoutWith(api, me.token, me.addressId, { type: 'cod' });
  }

  it('delivered: confirmed at once, shipped unpaid, paid when the courier takes the cash', async () => {
    const productId = await newProduct(api, admin, 10, '25000.00');
    const me = await shopper('normal');
    const res = await codCheckout(me, productId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'confirmed', payment: { method: 'cod' } });
    const orderId = res.body.order_id as string;
    const total = res.body.amount.total_amount as string;
    expect(res.body.payment.instructions).toEqual({ cash_on_delivery: { amount: total } });
    // Taken off the shelf at once: nothing is reserved and waiting.
    expect(await stockOf(productId)).toMatchObject({ quantity: 8, reserved: 0 });
    expect(await txnOf(orderId)).toMatchObject({ method: 'cod', status: 'pending', gateway: 'cod' });

    await orderStatus(api, me.token, orderId, 'completed', 90_000);
    const txn = await txnOf(orderId);
    const shipment = (await api.get(`/shipments/${orderId}`, me.token)).body;
    expect(txn).toMatchObject({ status: 'success', gateway_transaction_id: shipment.awb });
    expect(txn.amount.toFixed(2)).toBe(total);
    expect(await orderEvents(orderId)).toEqual([
      'order.created',
      'order.confirmed',
      'order.processing',
      'order.shipped',
      'order.delivered',
      'order.completed',
    ]);
    expect(await paymentEvents(orderId)).toEqual([
      { type: 'payment.started', method: 'cod' },
      { type: 'payment.succeeded', method: 'cod' },
    ]);
    // The carrier was asked to collect exactly the order's total.
    const booking = await fetch(`${server().config.carrier.url}/v1/bookings/${shipment.awb}`, {
      headers: { authorization: `Bearer ${server().config.carrier.apiKey}` },
    }).then((r) => r.json() as Promise<{ cod_amount?: string }>);
    expect(booking.cod_amount).toBe(total);
    expect(await stockOf(productId)).toMatchObject({ quantity: 8, reserved: 0 });

    // A complaint's partial refund of collected cash: there is no card to return it to, so it goes
    // back by a bank transfer an operator makes, never beyond what the courier collected.
    const refunds = server().services.payments.refunds;
    const part = await refunds.refund(orderId, '10000.00', 'complaint: one jar cracked', `cod-part-${orderId}`);
    expect(part).toMatchObject({ status: 'awaiting_transfer', amount: '10000.00' });
    expect(await db().refund.findFirstOrThrow({ where: { order_id: orderId } })).toMatchObject({
      channel: 'manual_transfer',
      gateway_refund_id: null,
    });
    await expect(refunds.refund(orderId, total, 'more than is left', `cod-over-${orderId}`)).rejects.toThrow();
  });

  it('refused at the door: returned and restocked, nothing collected and nothing refunded', async () => {
    const productId = await newProduct(api, admin, 10, '25000.00');
    const me = await shopper('refused');
    const res = await codCheckout(me, productId);
    expect(res.body).toMatchObject({ status: 'confirmed' });
    const orderId = res.body.order_id as string;
    await waitFor('the payment to end uncollected', async () =>
      (await txnOf(orderId)).status === 'not_collected' ? true : undefined,
    );
    await waitFor('the returned goods back on the shelf', async () => {
      const stock = await stockOf(productId);
      return stock.quantity === 10 && stock.reserved === 0 ? stock : undefined;
    });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('returned');
    expect(await db().refund.count({ where: { order_id: orderId } })).toBe(0);
    expect(await orderEvents(orderId)).not.toContain('order.refunded');
    expect((await paymentEvents(orderId)).map((e) => e.type)).toEqual(['payment.started', 'payment.failed']);
  });

  it('cancelled before pickup: the parcel withdrawn, the order cancelled, nothing to refund', async () => {
    const productId = await newProduct(api, admin, 10, '25000.00');
    const me = await shopper('no_pickup');
    const res = await codCheckout(me, productId);
    const orderId = res.body.order_id as string;
    await waitFor('the parcel booked', async () => {
      const s = await api.get(`/shipments/${orderId}`, me.token);
      return s.status === 200 && s.body.awb ? s.body : undefined;
    });
    const cancel = await api.post(`/orders/${orderId}/cancel`, { reason: 'changed my mind' }, me.token);
    expect(cancel.status).toBe(202);
    await orderStatus(api, me.token, orderId, 'cancelled', 60_000);
    expect(await txnOf(orderId)).toMatchObject({ status: 'not_collected' });
    expect(await stockOf(productId)).toMatchObject({ quantity: 10, reserved: 0 });
    expect(await db().refund.count({ where: { order_id: orderId } })).toBe(0);
  });

  it('limits: the total, where couriers collect, and two parcels refused in 60 days; methods says why', async () => {
    const methods = async (token: string, query = '') =>
      (await api.get(`/payments/methods${query}`, token)).body.methods.find((m: { type: string }) => m.type === 'cod');

    // Above the COD ceiling (Rp 3,000,000 by default).
    const dear = await newProduct(api, admin, 5, '2000000.00');
    const rich = await shopper('normal');
    const above = await codCheckout(rich, dear, 2);
    expect(above.status).toBe(409);
    expect(above.body.error.details).toMatchObject({ field: 'payment_method', reason: 'above_cod_limit' });
    expect(await methods(rich.token)).toMatchObject({ available: false, reason: 'above_cod_limit' });
    expect(await stockOf(dear)).toMatchObject({ quantity: 5, reserved: 0 });

    // Just under the ceiling, but not with shipping: with the address, methods says so, as checkout will.
    const edge = await newProduct(api, admin, 5, '2995000.00');
    const close = await shopper('normal');
    await api.post('/cart/items', { product_id: edge, quantity: 1 }, close.token);
    expect(await methods(close.token)).toMatchObject({ available: true });
    expect(await methods(close.token, `?address_id=${close.addressId}`)).toMatchObject({
      available: false,
      reason: 'above_cod_limit',
    });
    const overWithShipping = await checkoutWith(api, close.token, close.addressId, { type: 'cod' });
    expect(overWithShipping.body.error.details).toMatchObject({ reason: 'above_cod_limit' });

    // Papua: no courier collects there.
    const cheap = await newProduct(api, admin, 20, '25000.00');
    const far = await shopper('normal', PAPUA);
    await api.post('/cart/items', { product_id: cheap, quantity: 1 }, far.token);
    expect(await methods(far.token)).toMatchObject({ available: true }); // the cart alone says nothing of where
    expect(await methods(far.token, `?address_id=${far.addressId}`)).toMatchObject({
      available: false,
      reason: 'cod_not_offered_here',
    });
    const papua = await checkoutWith(api, far.token, far.addressId, { type: 'cod' });
    expect(papua.status).toBe(409);
    expect(papua.body.error.details).toMatchObject({ reason: 'cod_not_offered_here' });
    // Someone else's address is nobody's business.
    expect((await api.get(`/payments/methods?address_id=${far.addressId}`, rich.token)).status).toBe(404);

    // Two parcels refused at the door: the third COD checkout is refused, other methods still work.
    const refuser = await shopper('refused');
    for (let i = 0; i < 2; i++) {
      const res = await codCheckout(refuser, cheap, 1);
      expect(res.body).toMatchObject({ status: 'confirmed' });
      await waitFor(`refused parcel ${i + 1} back`, async () =>
        (await txnOf(res.body.order_id)).status === 'not_collected' ? true : undefined,
      );
      await orderStatus(api, refuser.token, res.body.order_id, 'returned', 60_000);
    }
    const third = await codCheckout(refuser, cheap, 1);
    expect(third.status).toBe(409);
    expect(third.body.error.details).toMatchObject({ reason: 'cod_refused_before' });
    expect(await methods(refuser.token)).toMatchObject({ available: false, reason: 'cod_refused_before' });
    const byCard = await checkoutWith(api, refuser.token, refuser.addressId, { type: 'qris' });
    expect(byCard.status).toBe(202);
  });
});
