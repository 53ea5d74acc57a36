/**
 * A virtual account's refund is a manual bank transfer (issue 21, item 5): the refund path (the
 * one the cancel, operator and complaint paths call) records it as manual_transfer, awaiting an
 * operator's transfer, and never asks the gateway; the shopper gives a bank account for their own
 * order (validated, kept by the payments service, shown back with its last four digits), and only
 * where a manual transfer can be owed (not for a card or QRIS order); operators list what awaits a
 * transfer (GET /admin/refunds, last four digits only) and mark it transferred, and the payment is
 * refunded as a gateway's notice would settle it, its payment.refunded carrying the method. Against
 * the real stack, a worker of the file's own and a gateway simulator process of its own.
 */
import { randomUUID } from 'node:crypto';
import { CARDS } from '../support/shop';
import { useGatewayProcess } from '../support/gateway-process';
import { adminToken, client, signUp, type Client } from '../support/http';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';
import { useServer } from '../support/server';
import { newProduct, shopperWithCart, waitFor } from '../support/shop';

describe('manual refunds of virtual accounts', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: { ...c.payments, gatewayUrl: gateway().url, gatewayName: `manual-${Date.now().toString(36)}` },
    }),
  });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  const db = () => server().deps.db;
  const account = { bank_code: 'bca', account_number: '8730419265', holder_name: 'Siti Rahayu' };

  async function paid(method: { type: string; bank?: string }) {
    const productId = await newProduct(api, admin, 5, '25000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkoutWith(api, me.token, me.address_id, method);
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    if (method.type === 'card') {
      const confirmed = await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
      expect(confirmed.status).toBe(202);
    } else {
      const pay =
        method.type === 'qris'
          ? `/_sim/qris/${res.body.payment.instructions.qr_id}/pay`
          : `/_sim/va/${res.body.payment.instructions.va_number}/pay`;
      expect((await atGateway(gateway().url, pay)).status).toBe(200);
    }
    await orderPaid(api, me.token, orderId);
    return { orderId, me };
  }

  /** The order's payment.refunded events' data (the outbox, as the relay publishes them). */
  const refundedEvents = async (orderId: string) =>
    (await db().outboxEvent.findMany({ where: { key: orderId, type: 'payment.refunded' } })).map(
      (e) => (e.payload as { data: Record<string, unknown> }).data,
    );

  it('a VA refund waits for an account and an operator; transferred, the payment is refunded, once', async () => {
    const { orderId, me } = await paid({ type: 'bank_transfer', bank: 'bni' });
    // The cancel path's whole refund: recorded as a manual transfer, the gateway never asked.
    await server().services.payments.refund(orderId, 'cancelled by the shopper before pickup', randomUUID());
    const [refund] = await db().refund.findMany({ where: { order_id: orderId } });
    expect(refund).toMatchObject({ channel: 'manual_transfer', status: 'awaiting_transfer', gateway_refund_id: null });
    const txn = await db().transaction.findUniqueOrThrow({ where: { order_id: orderId } });
    const atGatewayNow = await fetch(`${gateway().url}/v2/${txn.gateway_transaction_id}/status`, {
      headers: { authorization: `Bearer ${server().config.payments.gatewayApiKey}` },
    }).then((r) => r.json() as Promise<any>);
    expect(atGatewayNow).toMatchObject({ transaction_status: 'settlement', refunds: [] });

    // No account yet: the operator cannot mark it transferred.
    const early = await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin);
    expect({ status: early.status, reason: early.body.error?.details?.reason }).toEqual({
      status: 409,
      reason: 'no_refund_account',
    });

    // Bad accounts are 400s naming the field; nothing stored.
    for (const [field, bad] of [
      ['account_number', { ...account, account_number: '-8730419265' }],
      ['account_number', { ...account, account_number: '9'.repeat(1_000) }],
      ['account_number', { ...account, account_number: '12ab' }],
      ['bank_code', { ...account, bank_code: 'xyz' }],
      ['holder_name', { ...account, holder_name: ' ' }],
    ] as const) {
      const res = await api.post(`/payments/${orderId}/refund-account`, bad, me.token);
      expect({ field, status: res.status, text: JSON.stringify(res.body) }).toMatchObject({
        field,
        status: 400,
        text: expect.stringContaining(field),
      });
    }
    expect(await db().refundAccount.count({ where: { order_id: orderId } })).toBe(0);

    const given = await api.post(`/payments/${orderId}/refund-account`, account, me.token);
    expect(given.status).toBe(200);
    expect(given.body).toEqual({
      order_id: orderId,
      bank_code: 'bca',
      account_number_last4: '9265',
      holder_name: 'Siti Rahayu',
    });
    expect(JSON.stringify(given.body)).not.toContain(account.account_number);

    const done = await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: refund!.id, status: 'refunded', channel: 'manual_transfer' });
    expect(await db().transaction.findUniqueOrThrow({ where: { order_id: orderId } })).toMatchObject({
      status: 'refunded',
    });
    // Again: the same answer, one payment.refunded.
    expect((await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin)).body).toEqual(done.body);
    // One payment.refunded, saying how the order was paid, as the other payment events do.
    expect(await refundedEvents(orderId)).toEqual([
      expect.objectContaining({ refund_id: refund!.id, method: 'bank_transfer', method_detail: 'bni' }),
    ]);
    const row = await db().refund.findUniqueOrThrow({ where: { id: refund!.id } });
    expect(row.transferred_at).not.toBeNull();
    // Transferred: the account can no longer change.
    expect((await api.post(`/payments/${orderId}/refund-account`, account, me.token)).status).toBe(409);
  });

  it("another shopper's order is a 404, a shopper on the operator's route a 403, a gateway refund not manual", async () => {
    const { orderId, me } = await paid({ type: 'qris' });
    const stranger = await signUp(api);
    expect((await api.post(`/payments/${orderId}/refund-account`, account, stranger.token)).status).toBe(404);
    expect(await db().refundAccount.count({ where: { order_id: orderId } })).toBe(0);
    // Its own shopper neither: a QRIS payment goes back through the gateway, no account is kept.
    const notNeeded = await api.post(`/payments/${orderId}/refund-account`, account, me.token);
    expect({ status: notNeeded.status, details: notNeeded.body.error?.details }).toEqual({
      status: 409,
      details: { reason: 'refund_account_not_needed', method: 'qris', method_detail: null },
    });
    expect(await db().refundAccount.count({ where: { order_id: orderId } })).toBe(0);

    await server().services.payments.refunds.refund(orderId, '10000.00', 'complaint', randomUUID());
    const [refund] = await db().refund.findMany({ where: { order_id: orderId } });
    expect(refund).toMatchObject({ channel: 'gateway' });
    expect((await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, me.token)).status).toBe(403);
    const manual = await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin);
    expect({ status: manual.status, reason: manual.body.error?.details?.reason }).toEqual({
      status: 409,
      reason: 'not_a_manual_refund',
    });
    expect((await api.post(`/admin/refunds/${randomUUID()}/transferred`, undefined, admin)).status).toBe(404);
    await waitFor('the gateway refund confirmed', async () =>
      (await db().refund.findUniqueOrThrow({ where: { id: refund!.id } })).status === 'refunded' ? true : undefined,
    );
    // Confirmed by the gateway's notification: its payment.refunded carries the method too.
    expect(await refundedEvents(orderId)).toEqual([
      expect.objectContaining({ refund_id: refund!.id, method: 'qris', method_detail: null }),
    ]);
  });

  it('a card order takes no refund account (409 refund_account_not_needed, nothing stored); a VA order does', async () => {
    const card = await paid({ type: 'card' });
    const refused = await api.post(`/payments/${card.orderId}/refund-account`, account, card.me.token);
    expect({ status: refused.status, details: refused.body.error?.details }).toEqual({
      status: 409,
      details: { reason: 'refund_account_not_needed', method: 'card', method_detail: null },
    });
    expect(refused.body.error.message).toMatch(/card/);
    expect(JSON.stringify(refused.body)).not.toContain(account.account_number);
    expect(await db().refundAccount.count({ where: { order_id: card.orderId } })).toBe(0);
    // Still refused once its refund is on the way: that goes back through the gateway.
    await server().services.payments.refund(card.orderId, 'cancelled by the shopper', randomUUID());
    expect((await api.post(`/payments/${card.orderId}/refund-account`, account, card.me.token)).status).toBe(409);

    const va = await paid({ type: 'bank_transfer', bank: 'mandiri' });
    const taken = await api.post(`/payments/${va.orderId}/refund-account`, account, va.me.token);
    expect(taken.status).toBe(200);
    expect(await db().refundAccount.count({ where: { order_id: va.orderId } })).toBe(1);
  });

  it('operators list the manual refunds awaiting a transfer, a page at a time, the account as its last four digits only', async () => {
    // Three VA refunds awaiting a transfer, in order; the shopper of the second gives an account.
    const mine: { orderId: string; refundId: string; orderNumber: string }[] = [];
    const numbers = ['8730419265', '5550001234', '1200987654'];
    for (const [i, bank] of (['bca', 'bri', 'permata'] as const).entries()) {
      const { orderId, me } = await paid({ type: 'bank_transfer', bank });
      const view = await server().services.payments.refund(orderId, 'cancelled before pickup', randomUUID());
      expect(view).toMatchObject({ status: 'refunding' }); // the payment: on its way back
      const [refund] = await db().refund.findMany({ where: { order_id: orderId } });
      expect(refund).toMatchObject({ status: 'awaiting_transfer' });
      if (i === 1) {
        const given = { ...account, account_number: numbers[i]! };
        expect((await api.post(`/payments/${orderId}/refund-account`, given, me.token)).status).toBe(200);
      }
      const order = await db().order.findUniqueOrThrow({ where: { id: orderId } });
      mine.push({ orderId, refundId: refund!.id, orderNumber: order.order_number });
    }

    // Admin only; a bad page is a 400 naming its field.
    const shopper = await signUp(api);
    expect((await api.get('/admin/refunds?status=awaiting_transfer', shopper.token)).status).toBe(403);
    expect((await api.get('/admin/refunds?status=awaiting_transfer')).status).toBe(401);
    for (const [query, field] of [
      ['page_size=0', 'page_size'],
      ['page_size=101', 'page_size'],
      ['page=0', 'page'],
      ['status=refunding', 'status'],
    ] as const) {
      const res = await api.get(`/admin/refunds?${query}`, admin);
      expect({ query, status: res.status, text: JSON.stringify(res.body.error) }).toMatchObject({
        query,
        status: 400,
        text: expect.stringContaining(field),
      });
    }

    // Oldest first, two a page: mine are the newest, so walked from the last page back. Other
    // files' refunds may come and go meanwhile: the walk is retried until it reads a steady list.
    type Item = Record<string, any>;
    const walk = async (): Promise<{ pages: Item[]; found: Item[] } | undefined> => {
      const first = await api.get('/admin/refunds?status=awaiting_transfer&page_size=2', admin);
      expect(first.status).toBe(200);
      const total = first.body.total as number;
      const pages: Item[] = [];
      const seen: Item[] = [];
      for (let page = Math.ceil(total / 2); page >= 1 && seen.length < 3; page--) {
        const res = await api.get(`/admin/refunds?status=awaiting_transfer&page=${page}&page_size=2`, admin);
        pages.unshift(res.body);
        seen.unshift(...(res.body.data as Item[]).filter((r) => mine.some((m) => m.refundId === r.id)));
      }
      return seen.length === 3 && pages.every((p) => p.total === total) ? { pages, found: seen } : undefined;
    };
    const { pages, found } = await waitFor('my three refunds in the operators list', walk);
    for (const p of pages) {
      expect(p).toMatchObject({ page_size: 2, total: expect.any(Number) });
      expect(p.data.length).toBeLessThanOrEqual(2);
      for (const r of p.data) expect(r).toMatchObject({ status: 'awaiting_transfer' });
    }
    const created = pages.flatMap((p) => p.data.map((r: Item) => r.created_at as string));
    expect([...created].sort()).toEqual(created);
    expect(found.map((r) => r.id)).toEqual(mine.map((m) => m.refundId));
    for (const [i, r] of found.entries()) {
      expect(r).toEqual({
        id: mine[i]!.refundId,
        order_id: mine[i]!.orderId,
        order_number: mine[i]!.orderNumber,
        amount: expect.stringMatching(/^\d+\.\d{2}$/),
        status: 'awaiting_transfer',
        method: 'bank_transfer',
        method_detail: ['bca', 'bri', 'permata'][i],
        created_at: expect.any(String),
        age_seconds: expect.any(Number),
        transferred_at: null,
        account_given: i === 1,
        account: i === 1 ? { bank_code: 'bca', account_number_last4: '1234' } : null,
      });
      expect(r.age_seconds).toBeGreaterThanOrEqual(0);
    }
    const text = JSON.stringify(pages);
    for (const n of numbers) expect(text).not.toContain(n);
    expect(text).not.toContain(account.holder_name); // the list names no one

    // Transferred, it leaves the list for status=refunded.
    expect((await api.post(`/admin/refunds/${mine[1]!.refundId}/transferred`, undefined, admin)).status).toBe(200);
    const still = await api.get('/admin/refunds?status=awaiting_transfer&page_size=100&page=1', admin);
    const total = still.body.total as number;
    const last = await api.get(`/admin/refunds?page_size=100&page=${Math.max(1, Math.ceil(total / 100))}`, admin);
    expect((last.body.data as Item[]).map((r) => r.id)).not.toContain(mine[1]!.refundId);
    const done = await api.get(`/admin/refunds?status=refunded&page_size=100&page=1`, admin);
    expect(done.status).toBe(200);
    const doneTotal = done.body.total as number;
    const doneLast = await api.get(
      `/admin/refunds?status=refunded&page_size=100&page=${Math.max(1, Math.ceil(doneTotal / 100))}`,
      admin,
    );
    expect(doneLast.body.data).toContainEqual(
      expect.objectContaining({ id: mine[1]!.refundId, status: 'refunded', transferred_at: expect.any(String) }),
    );
    // The others transferred too, so runs of this file leave no work on the shared list.
    for (const m of [mine[0]!, mine[2]!]) {
      await db().refundAccount.create({ data: { order_id: m.orderId, user_id: shopper.id, ...account } });
      expect((await api.post(`/admin/refunds/${m.refundId}/transferred`, undefined, admin)).status).toBe(200);
    }
  });
});
