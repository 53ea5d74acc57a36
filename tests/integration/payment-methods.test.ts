/**
 * Paying as Indonesia pays (issue 21): a virtual account, a QRIS code and e-wallets, each paid,
 * declined or cancelled, and expired, against the real stack, a worker of the test's own and a
 * gateway simulator of its own (a real process) whose buyer routes pay as a bank or an app would.
 * Each method's wait is a setting, and the checkout saga waits exactly that long before it
 * releases the stock. An OVO phone number stays in Postgres: no workflow history carries it.
 */
import { useGatewayProcess } from '../support/gateway-process';
import { adminToken, client, type Client } from '../support/http';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';
import { useServer, type TestServer } from '../support/server';
import { newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import type { Config } from '../../platform/config';
import { stuckThresholds } from '../../services/orders/stuck-work';

/** A workflow history as text, its payloads (base64 JSON) decoded, so a search sees what they carry. */
function historyText(history: unknown): string {
  const raw = JSON.stringify(history);
  const decoded = [...raw.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [raw, ...decoded].join('\n');
}

function scenario(gateway: () => { url: string }, methodExpirySeconds: Config['payments']['methodExpirySeconds']) {
  return useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: {
        ...c.payments,
        gatewayUrl: gateway().url,
        // Its own gateway name: reconciliation and the stack's gateway never read these transactions.
        gatewayName: `methods-${Date.now().toString(36)}`,
        methodExpirySeconds,
      },
    }),
  });
}

function shop(server: () => TestServer) {
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  return {
    api: () => api,
    /** A shopper whose checkout of 2 units by `method` awaits payment. */
    async awaiting(method: unknown, price = '25000.00') {
      const productId = await newProduct(api, admin, 5, price);
      const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
      const res = await checkoutWith(api, me.token, me.address_id, method);
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 202,
        body: { status: 'awaiting_payment' },
      });
      const orderId = res.body.order_id as string;
      const stock = async () => (await api.get(`/products/${productId}/inventory`)).body;
      return { me, orderId, productId, answer: res.body, stock, workflowId: res.body.workflow_id as string };
    },
    newProduct: (qty: number, price?: string) => newProduct(api, admin, qty, price),
  };
}

describe('payment methods: paid, declined and cancelled', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = scenario(gateway, { bank_transfer: 600, qris: 600, ewallet: 600, ovo: 600 });
  const s = shop(server);
  const api = () => s.api();

  it('a BCA virtual account: the answer carries the VA number and its expiry; paid by transfer, the order is paid', async () => {
    const before = Date.now();
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'bank_transfer', bank: 'bca' });
    expect(answer.payment).toMatchObject({ method: 'bank_transfer', instructions: { bank: 'bca' } });
    const va = answer.payment.instructions.va_number as string;
    expect(va).toMatch(/^\d{14,18}$/);
    const expiresAt = Date.parse(answer.payment.expires_at);
    expect(expiresAt).toBeGreaterThan(before + 590_000);
    expect(expiresAt).toBeLessThan(Date.now() + 601_000);
    const payment = (await api().get(`/payments/${orderId}`, me.token)).body;
    expect(payment).toMatchObject({
      method: 'bank_transfer',
      method_detail: 'bca',
      status: 'pending',
      instructions: { va_number: va },
      expires_at: answer.payment.expires_at,
    });
    expect(answer.payment.confirm).toBeUndefined();
    // A VA is not paid with a card.
    const byCard = await api().post(
      '/payments/confirm',
      { order_id: orderId, card_number: '4242424242424242' },
      me.token,
    );
    expect(byCard.status).toBe(409);

    expect((await atGateway(gateway().url, `/_sim/va/${va}/pay`)).status).toBe(200);
    await orderPaid(api(), me.token, orderId);
    expect((await api().get(`/payments/${orderId}`, me.token)).body.status).toBe('success');
    expect(await stock()).toMatchObject({ quantity: 3, reserved: 0 });
    // Paid once: the same VA cannot take the money again.
    expect((await atGateway(gateway().url, `/_sim/va/${va}/pay`)).status).toBe(409);
  });

  it('each bank issues its own virtual account; Mandiri and Permata too', async () => {
    for (const bank of ['bni', 'bri', 'mandiri', 'permata']) {
      const { answer } = await s.awaiting({ type: 'bank_transfer', bank });
      expect(answer.payment.instructions).toMatchObject({ bank, va_number: expect.stringMatching(/^\d+$/) });
    }
  });

  it('QRIS: a dynamic QR string; scanned and paid, the order is paid', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'qris' });
    expect(answer.payment.instructions.qr_string).toMatch(/^000201010212.*6304[0-9A-F]{4}$/);
    expect((await atGateway(gateway().url, `/_sim/qris/${answer.payment.instructions.qr_id}/pay`)).status).toBe(200);
    await orderPaid(api(), me.token, orderId);
    expect(await stock()).toMatchObject({ quantity: 3, reserved: 0 });
  });

  it('GoPay: a redirect and a deeplink; approved in the app, the order is paid', async () => {
    const { me, orderId, answer } = await s.awaiting({ type: 'ewallet', provider: 'gopay' });
    const { redirect_url, deeplink } = answer.payment.instructions;
    expect(redirect_url).toContain(gateway().url);
    expect(deeplink).toMatch(/^gopay:\/\//);
    const id = (await api().get(`/payments/${orderId}`, me.token)).body.gateway_transaction_id;
    expect((await atGateway(gateway().url, `/_sim/ewallet/${id}/approve`)).status).toBe(200);
    await orderPaid(api(), me.token, orderId);
  });

  it('DANA refused in the app: the payment fails, the order is cancelled and the stock released', async () => {
    const { me, orderId, stock } = await s.awaiting({ type: 'ewallet', provider: 'dana' });
    const id = (await api().get(`/payments/${orderId}`, me.token)).body.gateway_transaction_id;
    expect((await atGateway(gateway().url, `/_sim/ewallet/${id}/deny`)).status).toBe(200);
    const order = await orderStatus(api(), me.token, orderId, 'cancelled');
    expect(order.cancel_reason).toBe('payment_failed');
    expect((await api().get(`/payments/${orderId}`, me.token)).body.status).toBe('failed');
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 0 });
  });

  it('a QRIS order cancelled by the shopper before paying: cancelled at the gateway, the code no longer pays', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'qris' });
    expect((await api().post(`/orders/${orderId}/cancel`, undefined, me.token)).status).toBe(202);
    await orderStatus(api(), me.token, orderId, 'cancelled');
    expect((await api().get(`/payments/${orderId}`, me.token)).body.status).toBe('cancelled');
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 0 });
    expect((await atGateway(gateway().url, `/_sim/qris/${answer.payment.instructions.qr_id}/pay`)).status).toBe(409);
  });

  it('OVO pushes to the phone; approved, the order is paid, and no workflow history carries the number', async () => {
    const phone = `08${String(Date.now()).slice(-10)}`;
    const { me, orderId, answer, workflowId } = await s.awaiting({ type: 'ewallet', provider: 'ovo', phone });
    expect(answer.payment.instructions.push_sent_to).toMatch(/^\+628\d\*{4}\d{3}$/);
    const id = (await api().get(`/payments/${orderId}`, me.token)).body.gateway_transaction_id;
    expect((await atGateway(gateway().url, `/_sim/ewallet/${id}/approve`)).status).toBe(200);
    await orderPaid(api(), me.token, orderId);
    const stored = await server().deps.db.paymentMethodChoice.findUniqueOrThrow({ where: { order_id: orderId } });
    expect(stored.phone).toBe(`+62${phone.slice(1)}`);
    const history = historyText(await server().deps.temporal.client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain(orderId);
    expect(history).not.toContain(phone.slice(1));
  });

  it('a QRIS paid twice: the order is paid once, the second payment refunded whole and recorded for operators', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'qris' });
    const qr = answer.payment.instructions.qr_id as string;
    expect((await atGateway(gateway().url, `/_sim/qris/${qr}/pay`)).status).toBe(200);
    await orderPaid(api(), me.token, orderId);
    const second = await atGateway(gateway().url, `/_sim/qris/${qr}/pay`);
    expect(second.status).toBe(200);
    const strayId = second.body.id as string;
    expect(strayId).not.toBe(qr);
    const { db } = server().deps;
    await waitFor('the second payment refunded', () =>
      db.reconciliationIssue
        .findFirst({ where: { kind: 'stray_payment_refunded', intent_id: strayId, order_id: orderId } })
        .then((r) => r ?? undefined),
    );
    const atTheGateway = await fetch(`${gateway().url}/v2/${strayId}/status`, {
      headers: { authorization: `Bearer ${server().config.payments.gatewayApiKey}` },
    }).then((r) => r.json() as Promise<{ transaction_status: string; refunds: { refund_amount: string }[] }>);
    expect(atTheGateway.transaction_status).toBe('refund');
    expect(atTheGateway.refunds.map((r) => r.refund_amount)).toEqual([answer.amount.total_amount]);
    // The order's own payment is untouched: paid once, stock deducted once.
    expect((await api().get(`/payments/${orderId}`, me.token)).body).toMatchObject({
      status: 'success',
      gateway_transaction_id: qr,
    });
    expect(await stock()).toMatchObject({ quantity: 3, reserved: 0 });
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'order.paid' } })).toBe(1);
  });

  it('switching from a VA to QRIS before paying: the VA is closed, the QR pays the same order, the stock held throughout', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'bank_transfer', bank: 'mandiri' });
    const va = answer.payment.instructions.va_number as string;
    const switched = await api().post(`/payments/${orderId}/method`, { payment_method: { type: 'qris' } }, me.token);
    expect(switched.status).toBe(200);
    expect(switched.body).toMatchObject({ order_id: orderId, method: 'qris', status: 'pending' });
    expect(switched.body.instructions.qr_string).toMatch(/^000201/);
    expect(Date.parse(switched.body.expires_at)).toBeLessThanOrEqual(Date.parse(answer.payment.expires_at) + 1000);
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 2 });
    expect((await api().get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
    expect((await atGateway(gateway().url, `/_sim/va/${va}/pay`)).status).toBe(409);

    expect((await atGateway(gateway().url, `/_sim/qris/${switched.body.instructions.qr_id}/pay`)).status).toBe(200);
    await orderPaid(api(), me.token, orderId);
    expect(await stock()).toMatchObject({ quantity: 3, reserved: 0 });
    // Paid: the method no longer changes.
    const late = await api().post(`/payments/${orderId}/method`, { payment_method: { type: 'qris' } }, me.token);
    expect(late.status).toBe(409);
    const bad = await api().post(
      `/payments/${orderId}/method`,
      { payment_method: { type: 'ewallet', provider: 'ovo' } },
      me.token,
    );
    expect(bad.status).toBe(400);
  });

  it("the stuck-work report holds each checkout to its own method's wait, not one threshold for all", async () => {
    const va = await s.awaiting({ type: 'bank_transfer', bank: 'bca' }); // waits 600 s here
    const card = await s.awaiting(undefined); // waits the card's 900 s
    const listed = async (inSeconds: number) => {
      const at = new Date(Date.now() + inSeconds * 1000);
      const items = await server().services.stuckWork.run(stuckThresholds(server().config), at, 10_000);
      return [va.workflowId, card.workflowId].filter((id) => items.some((i) => i.ref === id));
    };
    expect(await listed(0)).toEqual([]);
    expect(await listed(600 + 300 + 30)).toEqual([va.workflowId]);
    expect(await listed(900 + 300 + 30)).toEqual([va.workflowId, card.workflowId]);
    for (const o of [va, card]) await api().post(`/orders/${o.orderId}/cancel`, undefined, o.me.token);
  });

  it('no payment_method is a card, as before', async () => {
    const { answer } = await s.awaiting(undefined);
    expect(answer.payment).toMatchObject({ method: 'card', confirm: expect.stringContaining('/payments/confirm') });
  });

  it('a bad payment_method is a 400 naming the field', async () => {
    const productId = await s.newProduct(5);
    const me = await shopperWithCart(api(), [{ product_id: productId, quantity: 1 }]);
    const cases: [unknown, string][] = [
      [{ type: 'ewallet', provider: 'ovo' }, 'payment_method.phone'],
      [{ type: 'ewallet', provider: 'ovo', phone: '12345' }, 'payment_method.phone'],
      [{ type: 'ewallet', provider: 'ovo', phone: '+6591234567' }, 'payment_method.phone'],
      [{ type: 'ewallet', provider: 'paypal' }, 'payment_method.provider'],
      [{ type: 'bank_transfer', bank: 'hsbc' }, 'payment_method.bank'],
      [{ type: 'bank_transfer' }, 'payment_method.bank'],
      [{ type: 'cod', phone: '081234567890' }, 'payment_method'],
      [{ type: 'qris', amount: '1.00' }, 'payment_method'],
      ['card', 'payment_method'],
    ];
    for (const [method, field] of cases) {
      const res = await checkoutWith(api(), me.token, me.address_id, method);
      expect({ method, status: res.status }).toEqual({ method, status: 400 });
      const fields = (res.body.error.details as { field: string }[]).map((d) => d.field);
      expect({ method, fields }).toEqual({ method, fields: expect.arrayContaining([field]) });
    }
  });

  it('GET /payments/methods: what my cart may use, with reasons for what it may not', async () => {
    const cheap = await s.newProduct(5, '25000.00');
    const me = await shopperWithCart(api(), [{ product_id: cheap, quantity: 1 }]);
    const offered = (await api().get('/payments/methods', me.token)).body;
    expect(offered.subtotal).toBe('25000.00');
    const byType = Object.fromEntries(offered.methods.map((m: { type: string }) => [m.type, m]));
    expect(byType.card).toMatchObject({ available: true });
    expect(byType.bank_transfer).toMatchObject({ available: true, banks: ['bca', 'bni', 'bri', 'mandiri', 'permata'] });
    expect(byType.qris).toMatchObject({ available: true, expiry_seconds: 600 });
    expect(byType.ewallet).toMatchObject({ available: true, providers: ['gopay', 'dana', 'shopeepay', 'ovo'] });
    // Cash on delivery's own limits are tested in payment-cod.test.ts.
    expect(byType.cod).toMatchObject({ type: 'cod', available: true });

    const dear = await s.newProduct(5, '10000000.00');
    const rich = await shopperWithCart(api(), [{ product_id: dear, quantity: 1 }]);
    const big = (await api().get('/payments/methods', rich.token)).body.methods;
    expect(big.find((m: { type: string }) => m.type === 'qris')).toMatchObject({
      available: false,
      reason: 'above_qris_limit',
    });

    const nobody = await shopperWithCart(api(), []);
    const none = (await api().get('/payments/methods', nobody.token)).body.methods;
    expect(none.find((m: { type: string }) => m.type === 'card')).toMatchObject({
      available: false,
      reason: 'cart_empty',
    });
    expect((await api().get('/payments/methods')).status).toBe(401);
  });
});

describe('payment methods: each waits as long as its setting, then the stock goes back', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = scenario(gateway, { bank_transfer: 4, qris: 600, ewallet: 600, ovo: 3 });
  const s = shop(server);
  const api = () => s.api();

  it('a virtual account unpaid at its expiry: the order is cancelled as expired, the stock released, the VA closed', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'bank_transfer', bank: 'bni' });
    expect(Date.parse(answer.payment.expires_at) - Date.now()).toBeLessThanOrEqual(4_000);
    const order = await orderStatus(api(), me.token, orderId, 'cancelled', 30_000);
    expect(order.cancel_reason).toBe('expired');
    expect((await api().get(`/payments/${orderId}`, me.token)).body.status).toBe('expired');
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 0 });
    const late = await atGateway(gateway().url, `/_sim/va/${answer.payment.instructions.va_number}/pay`);
    expect(late.status).toBe(409);
  });

  it('a VA paid after its expiry (the bank took it before the account closed): the money goes back by a manual transfer, the order stays cancelled', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'bank_transfer', bank: 'bri' });
    await orderStatus(api(), me.token, orderId, 'cancelled', 30_000);
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 0 });
    const late = await fetch(`${gateway().url}/_sim/va/${answer.payment.instructions.va_number}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ late: true }),
    });
    expect(late.status).toBe(200);
    // A VA is refunded by a manual bank transfer (refund-channel.ts): recorded, awaiting the
    // shopper's account and an operator; the gateway is never asked.
    const [pending] = await waitFor('the late payment on its way back', async () => {
      const rows = await server().deps.db.refund.findMany({ where: { order_id: orderId } });
      return rows.length > 0 ? rows : undefined;
    });
    expect(pending).toMatchObject({ channel: 'manual_transfer', status: 'awaiting_transfer', gateway_refund_id: null });
    const account = { bank_code: 'bri', account_number: '002101234567508', holder_name: 'Siti Rahayu' };
    expect((await api().post(`/payments/${orderId}/refund-account`, account, me.token)).status).toBe(200);
    const admin = await adminToken(server());
    expect((await api().post(`/admin/refunds/${pending!.id}/transferred`, undefined, admin)).status).toBe(200);
    expect((await api().get(`/payments/${orderId}`, me.token)).body.status).toBe('refunded');
    const refunds = await server().deps.db.refund.findMany({ where: { order_id: orderId } });
    expect(refunds.map((r) => [r.amount.toFixed(2), r.status])).toEqual([[answer.amount.total_amount, 'refunded']]);
    expect((await api().get(`/orders/${orderId}`, me.token)).body.status).toBe('cancelled');
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 0 });
  });

  it('a switch never holds the stock longer: a 4 s VA switched to a 600 s QRIS still releases at the 4 s deadline', async () => {
    const { me, orderId, answer, stock } = await s.awaiting({ type: 'bank_transfer', bank: 'bca' });
    const switched = await api().post(`/payments/${orderId}/method`, { payment_method: { type: 'qris' } }, me.token);
    if (switched.status === 200) {
      expect(Date.parse(switched.body.expires_at)).toBeLessThanOrEqual(Date.parse(answer.payment.expires_at) + 1000);
    } else {
      // Already within a few seconds of the deadline on a slow machine: refused, never extended.
      expect(switched.body.error.details).toMatchObject({ reason: 'not_awaiting_payment' });
    }
    const order = await orderStatus(api(), me.token, orderId, 'cancelled', 30_000);
    expect(order.cancel_reason).toBe('expired');
    expect(await stock()).toMatchObject({ quantity: 5, reserved: 0 });
  });

  it("an OVO push nobody approves times out: expired like a card's wait, and a QRIS of the same shop still waits", async () => {
    const qris = await s.awaiting({ type: 'qris' });
    const ovo = await s.awaiting({ type: 'ewallet', provider: 'ovo', phone: '+6281298765432' });
    const order = await orderStatus(api(), ovo.me.token, ovo.orderId, 'cancelled', 30_000);
    expect(order.cancel_reason).toBe('expired');
    expect(await ovo.stock()).toMatchObject({ quantity: 5, reserved: 0 });
    const id = (await api().get(`/payments/${ovo.orderId}`, ovo.me.token)).body.gateway_transaction_id;
    expect((await atGateway(gateway().url, `/_sim/ewallet/${id}/approve`)).status).toBe(409);
    // The QRIS checkout, 600 s, is untouched by the OVO's 3 s.
    expect((await api().get(`/orders/${qris.orderId}`, qris.me.token)).body.status).toBe('pending');
    expect(await qris.stock()).toMatchObject({ reserved: 2 });
    await api().post(`/orders/${qris.orderId}/cancel`, undefined, qris.me.token);
  });
});
