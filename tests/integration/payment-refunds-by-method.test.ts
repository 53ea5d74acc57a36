/**
 * Refunds by method (issue 21, item 5): QRIS and e-wallets give money back through the gateway,
 * whole or in parts, each refund confirmed by the gateway's notification; ShopeePay takes back only
 * the whole payment, so a partial refund of it is a 409 naming the method before anything is
 * claimed, and the whole amount still goes back. Against the real stack, a worker of the file's own
 * and a gateway simulator process of its own (which refuses a partial ShopeePay refund itself too).
 */
import { randomUUID } from 'node:crypto';
import { useGatewayProcess } from '../support/gateway-process';
import { adminToken, client, type Client } from '../support/http';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';
import { useServer } from '../support/server';
import { newProduct, shopperWithCart, waitFor } from '../support/shop';

describe('refunds by method', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: { ...c.payments, gatewayUrl: gateway().url, gatewayName: `refunds-${Date.now().toString(36)}` },
    }),
  });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  const payments = () => server().services.payments;
  const txnOf = (orderId: string) => server().deps.db.transaction.findUniqueOrThrow({ where: { order_id: orderId } });

  /** An order of 2 x 25,000 (and its shipping) paid by `method` at the gateway, as the shopper's app would. */
  async function paidBy(method: { type: string; provider?: string }) {
    const productId = await newProduct(api, admin, 5, '25000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkoutWith(api, me.token, me.address_id, method);
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    const txn = await txnOf(orderId);
    const pay =
      method.type === 'qris'
        ? `/_sim/qris/${txn.gateway_transaction_id}/pay`
        : `/_sim/ewallet/${txn.gateway_transaction_id}/approve`;
    expect((await atGateway(gateway().url, pay)).status).toBe(200);
    await orderPaid(api, me.token, orderId);
    return { orderId, txn };
  }

  const refundsSettled = (orderId: string, count: number) =>
    waitFor(`${count} refunds of ${orderId} confirmed`, async () => {
      const rows = await payments().refunds.list(orderId);
      return rows.length === count && rows.every((r) => r.status === 'refunded') ? rows : undefined;
    });

  it('GoPay and QRIS: partial refunds through the gateway, then the rest; the payment refunded once all is back', async () => {
    for (const method of [{ type: 'ewallet', provider: 'gopay' }, { type: 'qris' }]) {
      const { orderId } = await paidBy(method);
      await payments().refunds.refund(orderId, '10000.00', 'part of a complaint', randomUUID());
      await refundsSettled(orderId, 1);
      expect(await txnOf(orderId)).toMatchObject({ status: 'success' });
      expect((await txnOf(orderId)).refunded_total.toFixed(2)).toBe('10000.00');
      await payments().refund(orderId, 'the rest', randomUUID());
      await refundsSettled(orderId, 2);
      await waitFor('the payment refunded', async () =>
        (await txnOf(orderId)).status === 'refunded' ? true : undefined,
      );
    }
  });

  it('ShopeePay: a part goes back by a manual transfer, never asked of the gateway; the whole payment through the gateway', async () => {
    const { orderId, txn } = await paidBy({ type: 'ewallet', provider: 'shopeepay' });
    const partial = await payments().refunds.refund(orderId, '10000.00', 'part of a complaint', randomUUID());
    expect(partial).toMatchObject({ status: 'awaiting_transfer', amount: '10000.00', refunded_total: '10000.00' });
    const [row] = await payments().refunds.list(orderId);
    expect(row).toMatchObject({ channel: 'manual_transfer', gateway_refund_id: null });
    expect((await txnOf(orderId)).refunded_total.toFixed(2)).toBe('10000.00');

    // The gateway refuses it too, had anyone asked it directly.
    const direct = await fetch(`${gateway().url}/v1/refunds`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        authorization: `Bearer ${server().config.payments.gatewayApiKey}`,
      },
      body: JSON.stringify({ intent_id: txn.gateway_transaction_id, amount: '10000.00' }),
    });
    expect(direct.status).toBe(409);
    expect(((await direct.json()) as any).error.code).toBe('partial_refund_not_supported');

    // A whole ShopeePay payment goes back through the gateway.
    const other = await paidBy({ type: 'ewallet', provider: 'shopeepay' });
    await payments().refund(other.orderId, 'order cancelled', randomUUID());
    const [whole] = await refundsSettled(other.orderId, 1);
    expect(whole).toMatchObject({ channel: 'gateway' });
    expect(whole!.amount.toFixed(2)).toBe(other.txn.amount.toFixed(2)); // the goods and the shipping, at once
    await waitFor('the payment refunded', async () =>
      (await txnOf(other.orderId)).status === 'refunded' ? true : undefined,
    );
  });
});
