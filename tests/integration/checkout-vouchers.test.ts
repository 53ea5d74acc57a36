/**
 * Vouchers in the checkout saga (issue 22, item 3), against the real stack: the codes are claimed
 * as a step once shipping is quoted and released as its undo. The order keeps its discounts and the
 * payment asks for the total net of them; a refused code cancels the checkout with its reason and
 * gives back what the saga did; a cancelled checkout gives the voucher's use back.
 */
import { randomUUID } from 'node:crypto';
import { clientFrom, randomAddress } from '../security/support/from-address';
import { adminToken, client, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { newVoucher } from '../support/vouchers';
import { bandung, CARDS, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';

describe('vouchers in the checkout saga', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const voucher = (terms: Record<string, unknown>) =>
    newVoucher(api, admin, { name: `Test ${randomUUID().slice(0, 6)}`, ...terms });
  const budgetOf = async (id: string) => (await api.get(`/admin/vouchers/${id}`, admin)).body.budget;

  // From a loopback address of this file's own: wrong codes spend a per-address budget that lives in
  // Redis for an hour, and the rest of the suite (and its reruns) shares 127.0.0.1.
  const address = randomAddress();
  const checkoutWith = (token: string, addressId: string, codes: string[], key = randomUUID()) =>
    clientFrom(server().base, address).raw('POST', '/checkout', {
      token,
      body: { address_id: addressId, voucher_codes: codes },
      headers: { 'idempotency-key': key },
    });
  /** The same checkout asked again with its key until its saga has answered (a busy machine answers 202 first). */
  async function checkoutSettled(token: string, addressId: string, codes: string[]) {
    const key = randomUUID();
    for (;;) {
      const res = await checkoutWith(token, addressId, codes, key);
      if (res.status !== 202 || res.body.status === 'awaiting_payment') return res;
    }
  }

  it('a discount and a free-shipping voucher come off the order and its payment; the budget moves once', async () => {
    const discount = await voucher({ kind: 'discount', amount_off: '10000.00', budget_uses: 1 });
    const shipping = await voucher({ kind: 'shipping', amount_off: '20000.00', budget_amount: '1000000.00' });
    const productId = await newProduct(api, admin, 5, '50000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);

    // Codes as a shopper types them: any case.
    const res = await checkoutWith(me.token, me.address_id, [discount.code.toLowerCase(), shipping.code]);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('awaiting_payment');
    const amount = res.body.amount as Record<string, string>;
    const shippingOff = Math.min(Number(amount.shipping_amount), 20_000).toFixed(2);
    expect(amount).toMatchObject({ subtotal: '50000.00', discount_amount: '10000.00', shipping_discount: shippingOff });
    const net = 50_000 + Number(amount.shipping_amount) - 10_000 - Number(shippingOff);
    expect(amount.total_amount).toBe(net.toFixed(2));
    const orderId = res.body.order_id as string;
    // The payment asks for the total net of the discounts.
    expect((await api.get(`/payments/${orderId}`, me.token)).body.amount).toBe(net.toFixed(2));

    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    const order = await server().deps.db.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(order.discount_amount.toFixed(2)).toBe('10000.00');
    expect(order.shipping_discount.toFixed(2)).toBe(shippingOff);
    expect(order.total_amount.toFixed(2)).toBe(net.toFixed(2));
    const paid = await server().deps.db.outboxEvent.findFirstOrThrow({ where: { key: orderId, type: 'order.paid' } });
    expect((paid.payload as { data: object }).data).toMatchObject({
      total_amount: net.toFixed(2),
      discount_amount: '10000.00',
      shipping_discount: shippingOff,
    });
    expect(await budgetOf(discount.id)).toMatchObject({ used: 1, uses_left: 0, spent: '10000.00' });
    expect(await budgetOf(shipping.id)).toMatchObject({ used: 1, spent: shippingOff });

    // The single-use voucher is gone: the next shopper's checkout is refused with the reason, undone.
    const other = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const late = await checkoutWith(other.token, other.address_id, [discount.code]);
    expect(late.status).toBe(409);
    expect(late.body.error.details).toMatchObject({ reason: 'uses_exhausted' });
    const stock = await server().deps.db.inventory.findUniqueOrThrow({ where: { product_id: productId } });
    expect({ quantity: stock.quantity, reserved: stock.reserved }).toEqual({ quantity: 4, reserved: 0 });
  });

  it('a rush through the saga: 60 shoppers at once for a voucher with 10 uses, exactly 10 orders carry it', async () => {
    const SHOPPERS = 60;
    const USES = 10;
    const rush = await voucher({ kind: 'discount', amount_off: '1000.00', budget_uses: USES });
    const productId = await newProduct(api, admin, SHOPPERS, '20000.00');
    // Each at an address of their own: one per person counts addresses too.
    const crowd = [];
    for (let i = 0; i < SHOPPERS; i += 15)
      crowd.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(15, SHOPPERS - i) }, async (_, j) => {
            const me = await signUp(api);
            const address = await api.post(
              '/users/me/addresses',
              { ...bandung, street: `Jl. Rush No. ${i + j + 1}` },
              me.token,
            );
            expect((await api.post('/cart/items', { product_id: productId, quantity: 1 }, me.token)).status).toBe(201);
            return { token: me.token, addressId: address.body.id as string };
          }),
        )),
      );
    const answers = await Promise.all(crowd.map((me) => checkoutSettled(me.token, me.addressId, [rush.code])));
    const carried = answers.filter((r) => r.status === 202 && r.body.amount?.discount_amount === '1000.00');
    const refusedAtOnce = answers.filter((r) => r.status === 409 && r.body.error.details.reason === 'uses_exhausted');
    expect({ carried: carried.length, refused: refusedAtOnce.length }).toEqual({
      carried: USES,
      refused: SHOPPERS - USES,
    });
    expect(await budgetOf(rush.id)).toMatchObject({ used: USES, uses_left: 0 });
    // The losers' checkouts were undone: only the winners hold stock.
    const stock = await server().deps.db.inventory.findUniqueOrThrow({ where: { product_id: productId } });
    expect({ quantity: stock.quantity, reserved: stock.reserved }).toEqual({ quantity: SHOPPERS, reserved: USES });
  });

  it('a refund after a discount gives back what was paid; cancelled before pickup, the voucher comes back whole', async () => {
    const discount = await voucher({ kind: 'discount', amount_off: '7500.00', budget_uses: 3 });
    const productId = await newProduct(api, admin, 5, '40000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkoutWith(me.token, me.address_id, [discount.code]);
    const orderId = res.body.order_id as string;
    const net = res.body.amount.total_amount as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    // Cancelled before pickup: the shipment withdraws it and refunds through the refund path.
    expect((await api.post(`/orders/${orderId}/cancel`, undefined, me.token)).status).toBe(202);
    await orderStatus(api, me.token, orderId, 'refunded', 60_000);
    const refunds = await server().deps.db.refund.findMany({ where: { order_id: orderId } });
    expect(refunds.map((r) => r.amount.toFixed(2))).toEqual([net]);
    expect(await budgetOf(discount.id)).toMatchObject({ used: 0, spent: '0.00', uses_left: 3 });
    const claims = await server().services.promotions.claims.claimsOf(orderId);
    expect(claims.map((c) => c.status)).toEqual(['released']);
    // Nothing was received: the shopper's one use comes back too (a received order refunded keeps it
    // spent: buy, refund, buy again must not reuse a one-per-person voucher; vouchers-claims tests that).
    await api.post('/cart/items', { product_id: productId, quantity: 1 }, me.token);
    const second = await checkoutWith(me.token, me.address_id, [discount.code]);
    expect(second.status).toBe(202);
    expect(second.body.amount).toMatchObject({ discount_amount: '7500.00' });
  });

  it('stacking: two discount vouchers on one order are refused; a personal voucher of another account is unknown', async () => {
    const first = await voucher({ kind: 'discount', amount_off: '1000.00', budget_uses: 5 });
    const second = await voucher({ kind: 'discount', amount_off: '2000.00', budget_uses: 5 });
    const productId = await newProduct(api, admin, 5, '30000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const both = await checkoutWith(me.token, me.address_id, [first.code, second.code]);
    expect(both.status).toBe(409);
    expect(both.body.error.details).toMatchObject({ reason: 'stacking_not_allowed' });
    expect(await budgetOf(first.id)).toMatchObject({ used: 0 });

    const owner = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const personal = await voucher({ kind: 'discount', amount_off: '1000.00', budget_uses: 1, user_id: owner.id });
    const stolen = await checkoutWith(me.token, me.address_id, [personal.code]);
    expect(stolen.status).toBe(409);
    expect(stolen.body.error.details).toMatchObject({ reason: 'unknown_code' });
    const own = await checkoutWith(owner.token, owner.address_id, [personal.code]);
    expect(own.body.amount).toMatchObject({ discount_amount: '1000.00' });
  });

  it('codes added to the cart are claimed by a checkout that names none, and leave the cart with the order', async () => {
    const discount = await voucher({ kind: 'discount', amount_off: '2500.00', budget_uses: 5 });
    const productId = await newProduct(api, admin, 5, '30000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const from = clientFrom(server().base, address);
    expect((await from.post('/cart/vouchers', { code: discount.code }, me.token)).status).toBeLessThan(300);
    const res = await from.raw('POST', '/checkout', {
      token: me.token,
      body: { address_id: me.address_id },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.body.amount).toMatchObject({ discount_amount: '2500.00' });
    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, res.body.order_id, 'paid');
    await waitFor('the cart to forget the code', async () =>
      (await api.get('/cart', me.token)).body.vouchers.length === 0 ? true : undefined,
    );
  });

  it('a checkout cancelled while awaiting payment gives its voucher back, exactly once', async () => {
    const discount = await voucher({ kind: 'discount', percent_off: 10, max_discount: '5000.00', budget_uses: 5 });
    const productId = await newProduct(api, admin, 5, '30000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkoutWith(me.token, me.address_id, [discount.code]);
    expect(res.body.amount).toMatchObject({ discount_amount: '3000.00' });
    expect(await budgetOf(discount.id)).toMatchObject({ used: 1, spent: '3000.00' });
    await api.post(`/orders/${res.body.order_id}/cancel`, undefined, me.token);
    await orderStatus(api, me.token, res.body.order_id, 'cancelled');
    expect(await budgetOf(discount.id)).toMatchObject({ used: 0, spent: '0.00', uses_left: 5 });
    const claims = await server().services.promotions.claims.claimsOf(res.body.order_id);
    expect(claims.map((c) => c.status)).toEqual(['released']);
  });

  it('a declined card gives the voucher back', async () => {
    const discount = await voucher({ kind: 'discount', amount_off: '5000.00', budget_uses: 2 });
    const productId = await newProduct(api, admin, 5, '30000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkoutWith(me.token, me.address_id, [discount.code]);
    expect(await budgetOf(discount.id)).toMatchObject({ used: 1 });
    await api.post('/payments/confirm', { order_id: res.body.order_id, card_number: CARDS.declined }, me.token);
    await orderStatus(api, me.token, res.body.order_id, 'cancelled');
    expect(await budgetOf(discount.id)).toMatchObject({ used: 0, spent: '0.00' });
  });

  it("a code that is no voucher is refused with its reason, and guessing spends the cart's budget; a malformed one is a 400 naming the field", async () => {
    const productId = await newProduct(api, admin, 5, '30000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const unknown = await checkoutWith(me.token, me.address_id, ['ZZZZZZZZZZZZ']);
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.details).toMatchObject({ reason: 'unknown_code' });
    // Guessing codes by checking out spends the same budget as at the cart: past it, 429.
    const limit = server().config.rateLimits.voucherCodeFailuresPerAccount;
    for (let i = 1; i < limit; i++)
      expect((await checkoutWith(me.token, me.address_id, [`ZZZZZZZZZZ${i}Z`.replace(/[01]/g, '2')])).status).toBe(409);
    const blocked = await checkoutWith(me.token, me.address_id, ['ZZZZZZZZZZZZ']);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    const malformed = await checkoutWith(me.token, me.address_id, ['not a code!']);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.map((d: { field: string }) => d.field)).toContain('voucher_codes.0');
  });
});

describe('a voucher comes back when the payment window passes', () => {
  // A card's window of a few seconds: the saga expires the checkout itself (no payment is made).
  const server = useServer({
    worker: true,
    configure: (c) => ({ ...c, payments: { ...c.payments, expirySeconds: 3 } }),
  });

  it('expired: released, its use and budget back', async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const created = await newVoucher(api, admin, {
      name: `Expiry ${randomUUID().slice(0, 6)}`,
      kind: 'discount',
      amount_off: '5000.00',
      budget_uses: 1,
    });
    const productId = await newProduct(api, admin, 5, '30000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await api.raw('POST', '/checkout', {
      token: me.token,
      body: { address_id: me.address_id, voucher_codes: [created.code] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.body.amount).toMatchObject({ discount_amount: '5000.00' });
    await orderStatus(api, me.token, res.body.order_id, 'cancelled');
    const budget = (await api.get(`/admin/vouchers/${created.id}`, admin)).body.budget;
    expect(budget).toMatchObject({ used: 0, uses_left: 1, spent: '0.00' });
  });
});
