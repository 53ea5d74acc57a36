/**
 * A virtual account's refund is a manual bank transfer (issue 21, item 5): the refund path (the
 * one the cancel, operator and complaint paths call) records it as manual_transfer and never asks
 * the gateway; the shopper gives a bank account for their own order (validated, kept by the
 * payments service, shown back with its last four digits); an operator marks the refund
 * transferred and the payment is refunded as a gateway's notice would settle it. Against the real
 * stack, a worker of the file's own and a gateway simulator process of its own.
 */
import { randomUUID } from 'node:crypto';
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
    const pay =
      method.type === 'qris'
        ? `/_sim/qris/${res.body.payment.instructions.qr_id}/pay`
        : `/_sim/va/${res.body.payment.instructions.va_number}/pay`;
    expect((await atGateway(gateway().url, pay)).status).toBe(200);
    await orderPaid(api, me.token, orderId);
    return { orderId, me };
  }

  it('a VA refund waits for an account and an operator; transferred, the payment is refunded, once', async () => {
    const { orderId, me } = await paid({ type: 'bank_transfer', bank: 'bni' });
    // The cancel path's whole refund: recorded as a manual transfer, the gateway never asked.
    await server().services.payments.refund(orderId, 'cancelled by the shopper before pickup', randomUUID());
    const [refund] = await db().refund.findMany({ where: { order_id: orderId } });
    expect(refund).toMatchObject({ channel: 'manual_transfer', status: 'refunding', gateway_refund_id: null });
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
    expect(given.body).toEqual({ order_id: orderId, bank_code: 'bca', account_number_last4: '9265', holder_name: 'Siti Rahayu' });
    expect(JSON.stringify(given.body)).not.toContain(account.account_number);

    const done = await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: refund!.id, status: 'refunded', channel: 'manual_transfer' });
    expect(await db().transaction.findUniqueOrThrow({ where: { order_id: orderId } })).toMatchObject({
      status: 'refunded',
    });
    // Again: the same answer, one payment.refunded.
    expect((await api.post(`/admin/refunds/${refund!.id}/transferred`, undefined, admin)).body).toEqual(done.body);
    expect(await db().outboxEvent.count({ where: { key: orderId, type: 'payment.refunded' } })).toBe(1);
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
  });
});
