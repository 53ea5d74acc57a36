/**
 * OWASP API6:2023, unrestricted access to sensitive business flows: stock hoarding. Every unpaid
 * checkout holds stock until it expires, so one shopper could open checkout after checkout (the
 * same cart under new keys) and empty a flash sale without paying. Pasar caps the unpaid
 * checkouts one shopper may hold, and the units of one product they may hold unpaid.
 */
import { randomUUID } from 'node:crypto';
import { adminToken, client, type Client } from '../support/http';
import {
  CARDS,
  checkout,
  checkoutUntilSettled,
  newProduct,
  orderStatus,
  shopperWithCart,
  waitFor,
} from '../support/shop';
import { checkoutWith } from '../support/payments';
import { useServer } from '../support/server';
import { complaintBody, deliveredOrder } from '../integration/complaint-support';
import { generateCode } from '../../services/promotions/codes';
import { clientFrom, randomAddress } from './support/from-address';

describe('API6 sensitive business flows: nobody can hoard stock with unpaid checkouts', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;
  const stock = async (productId: string) => (await api.get(`/products/${productId}/inventory`)).body;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('caps the unpaid checkouts of one shopper; paying or cancelling one frees a slot', async () => {
    const { maxUnpaidOrders } = server().config.checkout;
    const productId = await newProduct(api, admin, 100);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const opened: string[] = [];
    for (let i = 0; i < maxUnpaidOrders; i++) {
      const res = await checkout(api, me.token, me.address_id, randomUUID());
      expect(res.body.status).toBe('awaiting_payment');
      opened.push(res.body.order_id);
    }
    const refused = await checkout(api, me.token, me.address_id, randomUUID());
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'limit_exceeded',
      details: { limit: 'unpaid_checkouts', max: maxUnpaidOrders },
    });
    expect(await stock(productId)).toMatchObject({ reserved: maxUnpaidOrders });

    await api.post(`/orders/${opened[0]}/cancel`, undefined, me.token);
    await orderStatus(api, me.token, opened[0]!, 'cancelled');
    const again = await checkout(api, me.token, me.address_id, randomUUID());
    expect(again.body.status).toBe('awaiting_payment');
  });

  it('caps the units of one product a shopper may hold unpaid, across checkouts', async () => {
    const { maxUnpaidUnitsPerProduct: max } = server().config.checkout;
    const productId = await newProduct(api, admin, max * 3);
    const big = await shopperWithCart(api, [{ product_id: productId, quantity: max + 1 }]);
    const tooMany = await checkout(api, big.token, big.address_id);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.details).toMatchObject({ limit: 'unpaid_units_per_product', product_id: productId });

    const half = Math.ceil((max + 1) / 2);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: half }]);
    expect((await checkout(api, me.token, me.address_id)).body.status).toBe('awaiting_payment');
    const second = await checkout(api, me.token, me.address_id);
    expect(second.status).toBe(409);
    expect(second.body.error.details).toMatchObject({ limit: 'unpaid_units_per_product', max });
    expect(await stock(productId)).toMatchObject({ reserved: half });
  });

  it('holds under concurrency: many checkouts at once never exceed the cap', async () => {
    const { maxUnpaidOrders } = server().config.checkout;
    const productId = await newProduct(api, admin, 100);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const replies = await Promise.all(
      Array.from({ length: maxUnpaidOrders + 4 }, () => checkout(api, me.token, me.address_id, randomUUID())),
    );
    const accepted = replies.filter((r) => r.body.status === 'awaiting_payment');
    expect(accepted).toHaveLength(maxUnpaidOrders);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(4);
    expect(await stock(productId)).toMatchObject({ reserved: maxUnpaidOrders });
  });
  it('a burst of new keys from one shopper cannot take every admission ticket of a flash sale', async () => {
    const { maxUnpaidOrders } = server().config.checkout;
    const productId = await newProduct(api, admin, maxUnpaidOrders + 1);
    const hoarder = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const honest = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const burst = Array.from({ length: 12 }, () => checkout(api, hoarder.token, hoarder.address_id, randomUUID()));
    await new Promise((r) => setTimeout(r, 50)); // the burst holds its places first
    const mine = await checkout(api, honest.token, honest.address_id, randomUUID());
    const replies = await Promise.all(burst);
    expect(mine.body.status).toBe('awaiting_payment');
    expect(replies.filter((r) => r.body.status === 'awaiting_payment').length).toBeLessThanOrEqual(maxUnpaidOrders);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('limit_exceeded');
  });

  it('a complaint is one per order: fifty at once open exactly one case, and no second refund can follow', async () => {
    const { me, orderId } = await deliveredOrder(server(), api, admin, 1);
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => api.post(`/orders/${orderId}/complaint`, complaintBody, me.token)),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(49);
    const id = replies.find((r) => r.status === 201)!.body.id as string;
    // Withdrawn is final, and does not open the door to a fresh complaint either.
    await api.post(`/orders/${orderId}/complaint/resolve`, { action: 'withdraw' }, me.token);
    expect((await api.post(`/orders/${orderId}/complaint`, complaintBody, me.token)).status).toBe(409);
    expect(await server().deps.db.complaint.count({ where: { order_id: orderId } })).toBe(1);
    const handle = server().deps.temporal.client.workflow.getHandle(`complaint-${id}`);
    expect((await handle.result()).outcome).toBe('withdrawn');
  });

  it('a paid order cancelled a hundred times at once is refunded once and restocked once', async () => {
    const productId = await newProduct(api, admin, 5);
    const a = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const orderId = (await checkoutUntilSettled(api, a.token, a.address_id)).body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, a.token);
    await orderStatus(api, a.token, orderId, 'paid', 30_000);
    const onHand = async () =>
      (await server().deps.db.inventory.findUniqueOrThrow({ where: { product_id: productId } })).quantity;
    const before = await onHand();
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => api.post(`/orders/${orderId}/cancel`, undefined, a.token)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(202));
    await orderStatus(api, a.token, orderId, 'refunded', 30_000);
    const history = await server().deps.temporal.client.workflow.getHandle(`shipment-${orderId}`).fetchHistory();
    const refunds = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'refundPayment',
    );
    expect(refunds).toHaveLength(1);
    expect(await onHand()).toBe(before + 2);
    expect((await api.post(`/orders/${orderId}/cancel`, undefined, a.token)).status).toBe(202);
    expect(await onHand()).toBe(before + 2);
  });
});

describe("API6 sensitive business flows: cash on delivery's limits cannot be walked around", () => {
  // COD ships goods before any money moves, so who may use it (a ceiling on the total, shoppers
  // who refused parcels before, where couriers collect) is judged at checkout on the order itself.
  // A bot must not reach COD another way: by switching an order to it, or by changing the cart
  // after GET /payments/methods said yes.
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  const codOffer = async (token: string) =>
    ((await api.get('/payments/methods', token)).body.methods as { type: string }[]).find((m) => m.type === 'cod');
  const paymentOf = (orderId: string) => server().deps.db.transaction.findUnique({ where: { order_id: orderId } });

  it('an order above the COD limit, placed by card, cannot then be switched to cash on delivery', async () => {
    const { maxTotal } = server().config.payments.cod;
    const productId = await newProduct(api, admin, 5, `${Math.ceil(maxTotal / 2) + 100_000}.00`);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const cod = await checkoutWith(api, me.token, me.address_id, { type: 'cod' });
    expect(cod.status).toBe(409);
    expect(cod.body.error.details).toMatchObject({ field: 'payment_method', reason: 'above_cod_limit' });

    const byCard = await checkoutWith(api, me.token, me.address_id, { type: 'card' });
    expect(byCard.status).toBe(202);
    const orderId = byCard.body.order_id as string;
    await waitFor('its card payment opened', async () => (await paymentOf(orderId)) ?? undefined);
    const switched = await api.post(`/payments/${orderId}/method`, { payment_method: { type: 'cod' } }, me.token);
    expect(switched.status).toBe(400);
    expect((switched.body.error.details as { field: string }[]).map((d) => d.field)).toContain('payment_method.type');
    expect(await paymentOf(orderId)).toMatchObject({ method: 'card', status: 'pending' });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
    await api.post(`/orders/${orderId}/cancel`, undefined, me.token);
  });

  it('a cash-on-delivery order cannot be switched to another method', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const placed = await checkoutWith(api, me.token, me.address_id, { type: 'cod' });
    expect(placed.body).toMatchObject({ status: 'confirmed' });
    const orderId = placed.body.order_id as string;
    for (const method of [{ type: 'qris' }, { type: 'card' }, { type: 'bank_transfer', bank: 'bca' }]) {
      const res = await api.post(`/payments/${orderId}/method`, { payment_method: method }, me.token);
      expect({ method, status: res.status, reason: res.body.error?.details?.reason }).toEqual({
        method,
        status: 409,
        // Confirmed at checkout, the order waits for no payment (the payment store's own
        // cash_on_delivery refusal stands behind this one).
        reason: 'not_awaiting_payment',
      });
    }
    expect(await paymentOf(orderId)).toMatchObject({ method: 'cod', status: 'pending', gateway: 'cod' });
  });

  it('the COD limit is judged on the order placed, not on what GET /payments/methods said of the cart before', async () => {
    const { maxTotal } = server().config.payments.cod;
    const productId = await newProduct(api, admin, 5, `${Math.ceil(maxTotal / 2) + 100_000}.00`);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    expect(await codOffer(me.token)).toMatchObject({ available: true });
    expect((await api.post('/cart/items', { product_id: productId, quantity: 1 }, me.token)).status).toBe(201);
    const res = await checkoutWith(api, me.token, me.address_id, { type: 'cod' });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toMatchObject({ field: 'payment_method', reason: 'above_cod_limit' });
    expect(await codOffer(me.token)).toMatchObject({ available: false, reason: 'above_cod_limit' });
    expect(
      (await api.get('/orders', me.token)).body.data.filter((o: { status: string }) => o.status !== 'cancelled'),
    ).toEqual([]);
  });
});

/**
 * Vouchers are money with a stock: codes cannot be walked (a code of another account's answers
 * exactly as one that does not exist, so a guess never learns a code is real), and a one-per-person
 * voucher is one per person at the cart too, across accounts that share a verified phone.
 */
describe('API6 sensitive business flows: voucher codes cannot be enumerated nor a per-person voucher reused', () => {
  const server = useServer();
  const HOUR = 3_600_000;
  const voucher = async (api: Client, admin: string, extra: Record<string, unknown> = {}) => {
    const res = await api.post(
      '/admin/vouchers',
      {
        name: 'Diskon Pribadi',
        kind: 'discount',
        amount_off: '5000',
        budget_uses: 10,
        valid_from: new Date(Date.now() - HOUR).toISOString(),
        valid_until: new Date(Date.now() + HOUR).toISOString(),
        ...extra,
      },
      admin,
    );
    expect(res.status).toBe(201);
    return res.body as { id: string; code: string };
  };

  it("another account's code, in any state, answers word for word as a code that does not exist", async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, 50);
    const owner = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const guesser = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const live = await voucher(api, admin, { user_id: owner.id });
    const paused = await voucher(api, admin, { user_id: owner.id });
    expect((await api.patch(`/admin/vouchers/${paused.id}`, { status: 'paused' }, admin)).status).toBe(200);
    const from = clientFrom(server().base, randomAddress());
    const answer = async (code: string) => {
      const res = await from.post('/cart/vouchers', { code }, guesser.token);
      const { request_id: _id, ...error } = res.body.error;
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        ...error,
        details: { ...error.details, code: '?' },
      };
    };
    const none = await answer(generateCode());
    expect(none).toMatchObject({ status: 409, details: { reason: 'unknown_code' } });
    expect(await answer(live.code)).toEqual(none);
    // Paused (or expired) says so to its owner only: to anyone else it is still no voucher.
    expect(await answer(paused.code)).toEqual(none);
    expect((await api.post('/cart/vouchers', { code: paused.code }, owner.token)).body.error.details.reason).toBe(
      'paused',
    );
  });

  it('a one-per-person voucher used by an account sharing my verified phone is refused at my cart', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, 50);
    const phone = `+62813${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const first = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const second = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const { db } = server().deps;
    await db.user.updateMany({ where: { id: { in: [first.id, second.id] } }, data: { phone } });
    await db.credential.updateMany({
      where: { user_id: { in: [first.id, second.id] } },
      data: { phone_verified: true },
    });
    const once = await voucher(api, admin, { per_shopper_limit: 1 });
    await server().services.promotions.claims.claim({
      orderId: randomUUID(),
      userId: first.id,
      identity: { phone, address: null },
      codes: [once.code],
      basket: { shipping: '0.00', lines: [{ product_id: productId, category: 'x', amount: '50000.00' }] },
    });
    const refused = await api.post('/cart/vouchers', { code: once.code }, second.token);
    expect([refused.status, refused.body.error.details.reason]).toEqual([409, 'per_shopper_limit']);
    expect((await api.get('/cart', second.token)).body.vouchers).toEqual([]);
  });
});
