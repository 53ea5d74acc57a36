/**
 * The stuck-work report finds what an operator must look at: a checkout still running past its
 * threshold, a saga whose compensation failed for good (its order left pending), a payment
 * still pending past its own expiry (neither its saga nor the gateway expired it), a refund the
 * gateway never confirmed, and, as a kind of its own rather than a stuck refund, a manual refund
 * still awaiting an operator's bank transfer.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, shopperWithCart, waitFor } from '../support/shop';
import { useServer } from '../support/server';
import { useGatewayProcess } from '../support/gateway-process';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';

describe('stuck-work report', () => {
  const server = useServer({
    worker: true,
    overrideActivities: (real) => ({
      // A checkout for more than 3 units fails at reserving; its undo of the order then fails for good.
      reserveStock: async (orderId, lines) => {
        if (lines.some((l) => l.quantity > 3)) throw ApplicationFailure.nonRetryable('no', 'insufficient_stock');
        return real.reserveStock(orderId, lines);
      },
      cancelOrder: async () => {
        throw ApplicationFailure.nonRetryable('injected: cancelOrder fails for good', 'injected_failure');
      },
    }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const report = async (olderThan = 0) => {
    const res = await api.get(`/admin/stuck-work?older_than_seconds=${olderThan}`, admin);
    expect(res.status).toBe(200);
    return res.body.data as { kind: string; ref: string; detail: Record<string, unknown> }[];
  };

  it('lists a checkout running past the threshold, with its order number and step', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const item = await waitFor('the checkout in the report', async () =>
      (await report()).find((i) => i.ref === res.body.workflow_id),
    );
    expect(item).toMatchObject({
      kind: 'checkout_running_too_long',
      detail: { order_number: res.body.order_number, step: 'awaiting_payment' },
    });
    // With the default thresholds a fresh checkout is not stuck.
    const defaults = (await api.get('/admin/stuck-work', admin)).body.data as { ref: string }[];
    expect(defaults.map((i) => i.ref)).not.toContain(res.body.workflow_id);
  });

  it('lists a saga whose compensation failed, and the order it left pending', async () => {
    const productId = await newProduct(api, admin, 10);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 4 }]);
    const res = await checkout(api, me.token, me.address_id);
    const handle = server().deps.temporal.client.workflow.getHandle(res.body.workflow_id);
    await expect(handle.result()).rejects.toThrow();
    const items = await waitFor('the failed saga in the report', async () => {
      const all = await report();
      return all.some((i) => i.kind === 'saga_failed' && i.ref === res.body.workflow_id) ? all : undefined;
    });
    expect(items).toContainEqual(expect.objectContaining({ kind: 'order_pending_too_long', ref: res.body.order_id }));
  });

  it('is for operators only', async () => {
    const me = await shopperWithCart(api, []);
    expect((await api.get('/admin/stuck-work', me.token)).status).toBe(403);
    expect((await api.get('/admin/stuck-work')).status).toBe(401);
    expect((await api.get('/admin/stuck-work?older_than_seconds=-1', admin)).status).toBe(400);
  });
});

describe('stuck-work report: payments waiting past their expiry', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: {
        ...c.payments,
        gatewayUrl: gateway().url,
        gatewayName: `stuck-${Date.now().toString(36)}`,
        methodExpirySeconds: { ...c.payments.methodExpirySeconds, qris: 3, bank_transfer: 600 },
      },
    }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const report = async () => {
    const res = await api.get('/admin/stuck-work?older_than_seconds=0', admin);
    expect(res.status).toBe(200);
    return res.body.data as { kind: string; ref: string; since: string; detail: Record<string, unknown> }[];
  };

  it('lists a QRIS payment its saga could not expire (the gateway unreachable at the deadline), not a VA still in time', async () => {
    const awaiting = async (method: unknown) => {
      const productId = await newProduct(api, admin, 5);
      const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
      const res = await checkoutWith(api, me.token, me.address_id, method);
      expect(res.body.status).toBe('awaiting_payment');
      return res.body as { order_id: string; payment: { expires_at: string } };
    };
    const qris = await awaiting({ type: 'qris' });
    const va = await awaiting({ type: 'bank_transfer', bank: 'bni' });
    // No expire notification, and the saga's cancel at the deadline cannot reach the gateway.
    await gateway().stop();
    const item = await waitFor('the QRIS payment past its expiry in the report', async () =>
      (await report()).find((i) => i.kind === 'payment_past_expiry' && i.ref === qris.order_id),
    );
    expect(item).toMatchObject({ since: qris.payment.expires_at, detail: { method: 'qris', status: 'pending' } });
    expect((await report()).filter((i) => i.ref === va.order_id)).toEqual([]);

    // The gateway back, the saga's retried cancel expires the payment: no longer listed.
    await gateway().start();
    await waitFor(
      'the payment expired by its saga (its retries back off)',
      async () => {
        const row = await server().deps.db.transaction.findUnique({ where: { order_id: qris.order_id } });
        return row?.status === 'expired' ? row : undefined;
      },
      120_000,
    );
    expect((await report()).filter((i) => i.ref === qris.order_id && i.kind === 'payment_past_expiry')).toEqual([]);
  });

  it('lists a manual refund awaiting its transfer under its own kind, not as a stuck refund; an unconfirmed gateway refund stays stuck', async () => {
    const db = server().deps.db;
    const paidBy = async (method: { type: string; bank?: string }) => {
      const productId = await newProduct(api, admin, 5, '40000.00');
      const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
      const res = await checkoutWith(api, me.token, me.address_id, method);
      expect(res.body.status).toBe('awaiting_payment');
      const orderId = res.body.order_id as string;
      if (method.type === 'card')
        await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
      else
        expect((await atGateway(gateway().url, `/_sim/va/${res.body.payment.instructions.va_number}/pay`)).status).toBe(
          200,
        );
      await orderPaid(api, me.token, orderId);
      return { orderId, token: me.token, orderNumber: res.body.order_number as string };
    };
    const va = await paidBy({ type: 'bank_transfer', bank: 'bni' });
    const card = await paidBy({ type: 'card' });
    // The VA's whole refund: the payment is refunding, its refund awaits an operator's transfer.
    await server().services.payments.refund(va.orderId, 'cancelled before pickup', randomUUID());
    expect(await db.transaction.findUniqueOrThrow({ where: { order_id: va.orderId } })).toMatchObject({
      status: 'refunding',
    });
    const [refund] = await db.refund.findMany({ where: { order_id: va.orderId } });
    expect(refund).toMatchObject({ status: 'awaiting_transfer', channel: 'manual_transfer' });
    // The card's refund claimed while the gateway is down: refunding, and no confirmation will come.
    await gateway().stop();
    await expect(server().services.payments.refund(card.orderId, 'cancelled', randomUUID())).rejects.toThrow(
      /unreachable/,
    );
    await gateway().start();

    const about = (items: Awaited<ReturnType<typeof report>>, orderId: string) =>
      items.filter((i) => i.ref === orderId || i.detail.order_id === orderId);
    const listed = await waitFor('both refunds in the report', async () => {
      const all = await report();
      return about(all, va.orderId).length > 0 && about(all, card.orderId).length > 0 ? all : undefined;
    });
    expect(about(listed, card.orderId)).toEqual([
      expect.objectContaining({ kind: 'refund_unconfirmed', ref: card.orderId }),
    ]);
    expect(about(listed, va.orderId)).toEqual([
      {
        kind: 'manual_refund_awaiting_transfer',
        ref: refund!.id,
        since: refund!.created_at.toISOString(),
        detail: {
          order_id: va.orderId,
          order_number: va.orderNumber,
          amount: refund!.amount.toFixed(2),
          method: 'bank_transfer',
          age_seconds: expect.any(Number),
          account_given: false,
        },
      },
    ]);
    // With the default thresholds a fresh manual refund is nobody's overdue work yet (a day).
    const defaults = (await api.get('/admin/stuck-work', admin)).body.data as { ref: string }[];
    expect(defaults.map((i) => i.ref)).not.toContain(refund!.id);

    // The shopper gives the account: the report says so; transferred, the refund leaves it.
    const account = { bank_code: 'bni', account_number: '0123456789', holder_name: 'Dewi Lestari' };
    expect((await api.post(`/payments/${va.orderId}/refund-account`, account, va.token)).status).toBe(200);
    expect(about(await report(), va.orderId)).toEqual([
      expect.objectContaining({
        kind: 'manual_refund_awaiting_transfer',
        detail: expect.objectContaining({ account_given: true }),
      }),
    ]);
    expect(JSON.stringify(about(await report(), va.orderId))).not.toContain(account.account_number);
    expect((await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin)).status).toBe(200);
    expect(about(await report(), va.orderId)).toEqual([]);
  });
});
