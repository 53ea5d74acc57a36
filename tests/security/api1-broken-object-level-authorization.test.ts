/**
 * OWASP API1:2023 Broken Object Level Authorization: shopper B, signed in, names shopper A's
 * objects (order, payment, address, cart line) by id and gets exactly what a missing id gets
 * (404), never A's data, and A's objects are unchanged afterwards.
 */
import { adminToken, client, sansRequestId, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import {
  bandung,
  CARDS,
  checkoutUntilSettled,
  newProduct,
  orderStatus,
  shopperWithCart,
  waitFor,
} from '../support/shop';
import { complaintBody, deliveredOrder } from '../integration/complaint-support';
import { useGatewayProcess } from '../support/gateway-process';
import { checkoutWith } from '../support/payments';
import { generateCode } from '../../services/promotions/codes';
import { clientFrom, randomAddress } from './support/from-address';

describe('API1 broken object level authorization', () => {
  const server = useServer({ worker: true });
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it("refuses every one of A's objects to B with 404, and leaves them untouched", async () => {
    const productId = await newProduct(api, await adminToken(server()), 5);
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const placed = await checkoutUntilSettled(api, a.token, a.address_id);
    expect(placed.status).toBe(202);
    const orderId = placed.body.order_id as string;
    const before = (await api.get(`/orders/${orderId}`, a.token)).body;
    await api.post('/cart/items', { product_id: productId, quantity: 2 }, a.token);
    const b = await signUp(api);

    const attempts = {
      'read order': await api.get(`/orders/${orderId}`, b.token),
      'cancel order': await api.post(`/orders/${orderId}/cancel`, undefined, b.token),
      'read payment': await api.get(`/payments/${orderId}`, b.token),
      'create intent': await api.post('/payments/intent', { order_id: orderId }, b.token),
      'pay for it': await api.post(
        '/payments/confirm',
        { order_id: orderId, card_number: '4242424242424242' },
        b.token,
      ),
      'change address': await api.patch(`/users/me/addresses/${a.address_id}`, { label: 'Mine' }, b.token),
      'delete address': await api.del(`/users/me/addresses/${a.address_id}`, b.token),
    };
    for (const [what, res] of Object.entries(attempts)) {
      expect({ what, status: res.status, code: res.body?.error?.code }).toEqual({
        what,
        status: 404,
        code: 'not_found',
      });
      expect({ what, leaked: JSON.stringify(res.body).includes(a.id) }).toEqual({ what, leaked: false });
    }
    // B's checkout with A's address id is refused too, and B's own lists stay empty.
    await api.post('/cart/items', { product_id: productId, quantity: 1 }, b.token);
    const stolenAddress = await checkoutUntilSettled(api, b.token, a.address_id);
    expect(stolenAddress.status).toBeGreaterThanOrEqual(400);
    expect(stolenAddress.status).toBeLessThan(500);
    expect((await api.get('/orders', b.token)).body.data).toEqual([]);
    expect((await api.get('/users/me/addresses', b.token)).body.data).toEqual([]);

    // A's objects are as A left them.
    expect((await api.get(`/orders/${orderId}`, a.token)).body).toEqual(before);
    expect((await api.get(`/payments/${orderId}`, a.token)).body.status).not.toBe('success');
    expect((await api.get('/users/me/addresses', a.token)).body.data).toEqual([
      expect.objectContaining({ id: a.address_id, label: bandung.label }),
    ]);
    const cart = await api.get('/cart', a.token);
    expect(JSON.stringify(cart.body)).toContain(productId);
    // Cancel A's checkout so its stock hold does not outlive the test.
    expect((await api.post(`/orders/${orderId}/cancel`, undefined, a.token)).status).toBeLessThan(300);
  });

  it("B's cart operations touch only B's cart", async () => {
    const productId = await newProduct(api, await adminToken(server()), 5);
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 3 }]);
    const b = await signUp(api);
    expect((await api.patch(`/cart/items/${productId}`, { quantity: 1 }, b.token)).status).toBe(404);
    expect((await api.del(`/cart/items/${productId}`, b.token)).status).toBe(404);
    const cart = await api.get('/cart', a.token);
    expect(JSON.stringify(cart.body)).toMatch(
      new RegExp(`"product_id":"${productId}"[^}]*"quantity":3|"quantity":3[^}]*"product_id":"${productId}"`),
    );
  });

  it("B asking for A's recommendations gets what a missing user gets (404), never A's picks", async () => {
    const [a, b] = [await signUp(api), await signUp(api)];
    const stolen = await api.get(`/recommendations/user/${a.id}`, b.token);
    const missing = await api.get(`/recommendations/user/${crypto.randomUUID()}`, b.token);
    expect({ status: stolen.status, code: stolen.body?.error?.code }).toEqual({ status: 404, code: 'not_found' });
    expect(sansRequestId(stolen.body)).toEqual(sansRequestId(missing.body));
    expect((await api.get(`/recommendations/user/${a.id}`, a.token)).status).toBe(200);
    expect((await api.get(`/recommendations/user/${a.id}`, await adminToken(server()))).status).toBe(200);
  });

  it("B marking A's notification read gets what a missing id gets (404), and never sees A's list", async () => {
    const [a, b] = [await signUp(api), await signUp(api)];
    expect((await api.post('/auth/otp/send', { type: 'email' }, a.token)).status).toBe(202);
    const mine = await api.get('/notifications', a.token);
    const id = mine.body.data[0].id as string;
    const stolen = await api.patch(`/notifications/${id}/read`, undefined, b.token);
    const missing = await api.patch(`/notifications/${crypto.randomUUID()}/read`, undefined, b.token);
    expect({ status: stolen.status, code: stolen.body?.error?.code }).toEqual({ status: 404, code: 'not_found' });
    expect(sansRequestId(stolen.body)).toEqual(sansRequestId(missing.body));
    expect((await api.get('/notifications', b.token)).body.data.map((n: { id: string }) => n.id)).not.toContain(id);
    expect((await api.get('/notifications', a.token)).body).toMatchObject({ unread: 1, data: [{ id, read: false }] });
  });

  it("B asking for A's shipment or its tracking gets what a missing one gets (404), never A's parcel", async () => {
    const productId = await newProduct(api, await adminToken(server()), 5);
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const orderId = (await checkoutUntilSettled(api, a.token, a.address_id)).body.order_id as string;
    // The shipment as the shipment workflow creates it (the store is real; the workflow is not needed here).
    const shipment = await server().services.shipments.ensure({
      orderId,
      orderNumber: 'PSR-API1-SHIP',
      userId: a.id,
      workflowId: `shipment-${orderId}`,
      destination: bandung as unknown as Record<string, unknown>,
      shippingCost: '18000.00',
    });
    const b = await signUp(api);
    const missing = await api.get(`/shipments/${crypto.randomUUID()}`, b.token);
    for (const path of [`/shipments/${orderId}`, `/shipments/${shipment.id}/tracking`]) {
      const stolen = await api.get(path, b.token);
      expect({ path, status: stolen.status, code: stolen.body?.error?.code }).toEqual({
        path,
        status: 404,
        code: 'not_found',
      });
      expect(stolen.body.error.message).toEqual(missing.body.error.message);
    }
    expect((await api.get(`/shipments/${orderId}`, a.token)).body).toMatchObject({
      id: shipment.id,
      status: 'pending',
    });
  });

  it("B acting on A's complaint gets what a missing order gets (404), and A's case is untouched", async () => {
    const a = await deliveredOrder(server(), api, await adminToken(server()), 1);
    const opened = await api.post(`/orders/${a.orderId}/complaint`, complaintBody, a.me.token);
    expect(opened.status).toBe(201);
    const b = await signUp(api);
    const missingOrder = crypto.randomUUID();
    const tries = [
      ['POST', `/orders/{id}/complaint`, complaintBody],
      ['GET', `/orders/{id}/complaint`, undefined],
      ['PATCH', `/orders/{id}/complaint`, { description: 'B rewriting the story of A' }],
      ['POST', `/orders/{id}/complaint/resolve`, { action: 'withdraw' }],
    ] as const;
    for (const [method, path, body] of tries) {
      const stolen = await api.raw(method, path.replace('{id}', a.orderId), { body, token: b.token });
      const missing = await api.raw(method, path.replace('{id}', missingOrder), { body, token: b.token });
      expect({ method, path, status: stolen.status }).toEqual({ method, path, status: 404 });
      expect(stolen.body.error.message).toEqual(missing.body.error.message);
    }
    const mine = (await api.get(`/orders/${a.orderId}/complaint`, a.me.token)).body;
    expect(mine).toMatchObject({ description: complaintBody.description, state: 'awaiting_seller' });
    await server().deps.temporal.client.workflow.getHandle(`complaint-${opened.body.id}`).terminate('test finished');
  });

  it("B asking which payment methods A's address allows gets what a missing address gets (404), never where A lives", async () => {
    // Cash on delivery is judged by the address's province: the answer for A's address would say
    // where A lives (a Papua address: cod_not_offered_here).
    const a = await signUp(api);
    const address = await api.post('/users/me/addresses', bandung, a.token);
    expect(address.status).toBe(201);
    const b = await signUp(api);
    const stolen = await api.get(`/payments/methods?address_id=${address.body.id}`, b.token);
    const missing = await api.get(`/payments/methods?address_id=${crypto.randomUUID()}`, b.token);
    expect({ status: stolen.status, code: stolen.body?.error?.code }).toEqual({ status: 404, code: 'not_found' });
    expect(sansRequestId(stolen.body)).toEqual(sansRequestId(missing.body));
    expect(JSON.stringify(stolen.body)).not.toMatch(/"methods"|available|Bandung/i);
    expect((await api.get(`/payments/methods?address_id=${address.body.id}`, a.token)).status).toBe(200);
  });

  it("B cancelling A's paid order gets what a missing order gets (404); nothing starts, nothing is refunded", async () => {
    const productId = await newProduct(api, await adminToken(server()), 5);
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const orderId = (await checkoutUntilSettled(api, a.token, a.address_id)).body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, a.token);
    await orderStatus(api, a.token, orderId, 'paid', 30_000);
    const b = await signUp(api);
    const missing = await api.post(`/orders/${crypto.randomUUID()}/cancel`, undefined, b.token);
    const stolen = await api.post(`/orders/${orderId}/cancel`, undefined, b.token);
    expect(stolen.status).toBe(404);
    expect(sansRequestId(stolen.body)).toEqual(sansRequestId(missing.body));
    // The cancel can start the order's shipment workflow: B's must not have reached it.
    const shipment = server().deps.temporal.client.workflow.getHandle(`shipment-${orderId}`);
    await expect(shipment.describe()).rejects.toThrow(/not found/i);
    expect((await api.get(`/orders/${orderId}`, a.token)).body.status).toBe('paid');
    // Tidy: A's own cancel ends it refunded.
    expect((await api.post(`/orders/${orderId}/cancel`, undefined, a.token)).status).toBe(202);
    await orderStatus(api, a.token, orderId, 'refunded', 30_000);
  });
});

describe("API1 broken object level authorization: another shopper's payment instructions", () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: { ...c.payments, gatewayUrl: gateway().url, gatewayName: `api1-${Date.now().toString(36)}` },
    }),
  });

  it("B naming A's virtual-account or OVO order, to read or switch its method or give its refund account, gets a 404 carrying none of A's instructions", async () => {
    const api = client(server().base);
    const productId = await newProduct(api, await adminToken(server()), 5);
    const b = await signUp(api);
    for (const method of [
      { type: 'bank_transfer', bank: 'bca' },
      { type: 'ewallet', provider: 'ovo', phone: '081287654321' },
    ]) {
      const a = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
      const placed = await checkoutWith(api, a.token, a.address_id, method);
      expect(placed.status).toBe(202);
      const orderId = placed.body.order_id as string;
      const own = (await api.get(`/payments/${orderId}`, a.token)).body;
      expect(own.instructions).toBeTruthy();
      const switched = await api.post(`/payments/${orderId}/method`, { payment_method: { type: 'qris' } }, b.token);
      expect({ method, status: switched.status }).toEqual({ method, status: 404 });
      expect((await api.get(`/payments/${orderId}`, a.token)).body).toMatchObject({
        gateway_transaction_id: own.gateway_transaction_id,
        method: own.method,
      });
      const theirs = await api.get(`/payments/${orderId}`, b.token);
      expect({ method, status: theirs.status }).toEqual({ method, status: 404 });
      const leaked = JSON.stringify(theirs.body);
      for (const secret of [own.instructions.va_number, own.instructions.push_sent_to, own.gateway_transaction_id]) {
        if (secret) expect(leaked).not.toContain(secret);
      }
      // Nor can B name the bank account A's refund would be transferred to.
      const account = { bank_code: 'bca', account_number: '8730419265', holder_name: 'Bukan Pemilik' };
      const redirected = await api.post(`/payments/${orderId}/refund-account`, account, b.token);
      expect({ method, status: redirected.status }).toEqual({ method, status: 404 });
      expect(await server().deps.db.refundAccount.count({ where: { order_id: orderId } })).toBe(0);
      await api.post(`/orders/${orderId}/cancel`, undefined, a.token);
    }
  });

  it("B giving a bank account for A's card order gets what a missing order gets (404), not A's 409 that would say how A pays", async () => {
    const api = client(server().base);
    const productId = await newProduct(api, await adminToken(server()), 5);
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const placed = await checkoutWith(api, a.token, a.address_id, { type: 'card' });
    expect(placed.status).toBe(202);
    const orderId = placed.body.order_id as string;
    await waitFor(
      'its card payment opened',
      async () => (await api.get(`/payments/${orderId}`, a.token)).status === 200,
    );
    const b = await signUp(api);
    const account = { bank_code: 'bca', account_number: '8730419265', holder_name: 'Bukan Pemilik' };
    // A, the owner, is told no account is needed for a card; B must not learn even that.
    const own = await api.post(`/payments/${orderId}/refund-account`, account, a.token);
    expect({ status: own.status, reason: own.body.error?.details?.reason }).toEqual({
      status: 409,
      reason: 'refund_account_not_needed',
    });
    const stolen = await api.post(`/payments/${orderId}/refund-account`, account, b.token);
    const missing = await api.post(`/payments/${crypto.randomUUID()}/refund-account`, account, b.token);
    expect(stolen.status).toBe(404);
    expect(sansRequestId(stolen.body)).toEqual(sansRequestId(missing.body));
    expect(JSON.stringify(stolen.body)).not.toMatch(/card|refund_account_not_needed/);
    expect(await server().deps.db.refundAccount.count({ where: { order_id: orderId } })).toBe(0);
    await api.post(`/orders/${orderId}/cancel`, undefined, a.token);
  });
});

describe("API1 broken object level authorization: another shopper's voucher codes", () => {
  const server = useServer();

  it("B never sees nor removes the codes on A's cart, and a voucher issued to A answers B as no voucher at all", async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, 50);
    const window = {
      valid_from: new Date(Date.now() - 60_000).toISOString(),
      valid_until: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const create = async (extra: Record<string, unknown>) =>
      (
        await api.post(
          '/admin/vouchers',
          { name: 'Diskon', kind: 'discount', amount_off: '5000', budget_uses: 5, ...window, ...extra },
          admin,
        )
      ).body as { id: string; code: string };
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const b = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const own = await create({ user_id: a.id });
    const from = clientFrom(server().base, randomAddress());
    expect((await from.post('/cart/vouchers', { code: own.code }, a.token)).status).toBe(201);

    expect((await from.get('/cart', b.token)).body.vouchers).toEqual([]);
    const removed = await from.del(`/cart/vouchers/${own.code}`, b.token);
    const missing = await from.del(`/cart/vouchers/${generateCode()}`, b.token);
    expect([removed.status, sansRequestId(removed.body)]).toEqual([404, sansRequestId(missing.body)]);
    expect((await from.get('/cart', a.token)).body.vouchers).toEqual([
      expect.objectContaining({ code: own.code, applies: true }),
    ]);

    // A's own voucher named by B: the answer of a code that does not exist, and nothing moves.
    const named = await from.post('/cart/vouchers', { code: own.code }, b.token);
    expect(named.status).toBe(409);
    expect(named.body.error).toMatchObject({
      message: 'no voucher has this code',
      details: { reason: 'unknown_code', code: own.code },
    });
    expect(JSON.stringify(named.body)).not.toContain(own.id);
    expect((await from.get('/cart', b.token)).body.vouchers).toEqual([]);
    expect((await api.get(`/admin/vouchers/${own.id}`, admin)).body.budget).toMatchObject({ used: 0, spent: '0.00' });
  });
});
