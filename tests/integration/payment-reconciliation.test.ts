/**
 * Payment reconciliation against a gateway simulator of the test's own (a real process, under a
 * gateway name of its own so only these transactions are reconciled): a success webhook lost for
 * good, a gateway restart that dropped deliveries in flight, a gateway that forgot its intents,
 * and a mismatch that must be reported, never fixed.
 */
import { unique } from '../support/deps';
import { useGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { useServer, type TestServer } from '../support/server';
import { notificationOf, postNotification } from '../support/webhooks';
import { orderPaid } from '../support/payments';
import { createSimulatorGateway } from '../../services/payments/gateway';

const EXPIRY_SECONDS = 300;

function scenario(gateway: () => GatewayProcess) {
  return useServer({
    worker: true,
    paymentExpirySeconds: EXPIRY_SECONDS,
    configure: (c) => ({
      ...c,
      payments: {
        ...c.payments,
        gatewayUrl: gateway().url,
        gatewayName: unique('sim')
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, ''),
        reconcile: { ...c.payments.reconcile, graceSeconds: 0, lookbackSeconds: 3600 },
      },
    }),
  });
}

async function openCheckouts(server: TestServer, api: Client, admin: string, n: number) {
  const productId = await newProduct(api, admin, 10);
  const opened = [];
  for (let i = 0; i < n; i++) {
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const txn = (await api.get(`/payments/${res.body.order_id}`, me.token)).body;
    opened.push({ me, orderId: res.body.order_id as string, intentId: txn.gateway_transaction_id as string });
  }
  return { productId, opened, stock: async () => (await api.get(`/products/${productId}/inventory`)).body };
}

const behave = (gw: GatewayProcess, intentId: string, behaviour: object) =>
  fetch(`${gw.url}/_sim/intents/${intentId}/behaviour`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(behaviour),
  });

describe('reconciliation with a gateway that keeps its records', () => {
  const gateway = useGatewayProcess({ ledger: true });
  const server = scenario(gateway);
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('pays an order whose success webhook was lost for good, once, however often it runs', async () => {
    const { opened, stock } = await openCheckouts(server(), api, admin, 1);
    const { me, orderId, intentId } = opened[0]!;
    await behave(gateway(), intentId, { drop: true });
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');

    const report = await server().services.reconciler.run();
    expect(report.applied).toEqual([{ order_id: orderId, intent_id: intentId, status: 'capture' }]);
    await orderPaid(api, me.token, orderId);
    await waitFor('stock deducted', async () => (await stock()).quantity === 9);
    expect(await stock()).toMatchObject({ quantity: 9, reserved: 0 });

    // Again, and the real notification arriving late under its own id: no second effect. The
    // gateway's list shows the payment as Pasar has it now, so the status API is not asked.
    const again = await server().services.reconciler.run();
    expect(again.applied).toEqual([]);
    expect({ checked: again.checked, asked: again.asked }).toEqual({ checked: 1, asked: 0 });
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    const late = await postNotification(server(), notificationOf(txn, 'capture'));
    expect(late.body.outcome).toBe('applied');
    const { db } = server().deps;
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'order.paid' } })).toBe(1);
    expect(await db.outboxEvent.count({ where: { key: orderId, type: 'payment.succeeded' } })).toBe(1);
    expect(await stock()).toMatchObject({ quantity: 9, reserved: 0 });
  });

  it('finds a paid payment refunded at the gateway whose notification was lost: its list shows it, the status API is asked', async () => {
    const { opened } = await openCheckouts(server(), api, admin, 1);
    const { me, orderId, intentId } = opened[0]!;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderPaid(api, me.token, orderId);
    await waitFor('the payment recorded as success', async () => {
      const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
      return txn.status === 'success' ? txn : undefined;
    });
    await behave(gateway(), intentId, { drop: true });
    const txn = (await api.get(`/payments/${orderId}`, me.token)).body;
    const { payments } = server().config;
    await createSimulatorGateway(gateway().url, payments.gatewayApiKey).refund(intentId, txn.amount, unique('refund'));
    const report = await server().services.reconciler.run();
    expect(report.applied).toContainEqual({ order_id: orderId, intent_id: intentId, status: 'refund' });
    expect(report.asked).toBeLessThan(report.checked);
    expect((await api.get(`/payments/${orderId}`, me.token)).body.status).toBe('refunded');
  });

  it('settles checkouts stranded by a gateway restart well before their expiry', async () => {
    const { opened, stock } = await openCheckouts(server(), api, admin, 3);
    for (const o of opened) await behave(gateway(), o.intentId, { delay_ms: 30_000 });
    for (const o of opened) {
      await api.post('/payments/confirm', { order_id: o.orderId, card_number: CARDS.ok }, o.me.token);
    }
    const restartedAt = Date.now();
    await gateway().restart(); // the delayed deliveries die with the process; the records do not
    const report = await server().services.reconciler.run();
    expect(report.applied.map((a) => a.order_id).sort()).toEqual(opened.map((o) => o.orderId).sort());
    for (const o of opened) await orderPaid(api, o.me.token, o.orderId);
    const settledIn = Date.now() - restartedAt;
    expect(settledIn).toBeLessThan(EXPIRY_SECONDS * 1000 * 0.1);
    await waitFor('stock deducted', async () => (await stock()).quantity === 7);
    expect(await stock()).toMatchObject({ quantity: 7, reserved: 0 });
  });

  it('reports an amount mismatch for an operator and changes nothing', async () => {
    const { opened } = await openCheckouts(server(), api, admin, 1);
    const { me, orderId, intentId } = opened[0]!;
    const { db } = server().deps;
    await db.transaction.updateMany({ where: { order_id: orderId }, data: { amount: '1.00' } });
    const report = await server().services.reconciler.run();
    expect(report.issues).toContainEqual({ kind: 'amount_mismatch', intent_id: intentId, order_id: orderId });
    expect((await api.get(`/orders/${orderId}`, me.token)).body.status).toBe('pending');
    const listed = await api.get('/admin/payments/reconciliation-issues', admin);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toContainEqual(expect.objectContaining({ kind: 'amount_mismatch', intent_id: intentId }));
    expect((await api.get('/admin/payments/reconciliation-issues', me.token)).status).toBe(403);
  });
});

describe('reconciliation with a gateway that forgot its intents', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = scenario(gateway);
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('cancels the checkouts whose intents are gone, releasing their stock now', async () => {
    const { opened, stock } = await openCheckouts(server(), api, admin, 2);
    expect(await stock()).toMatchObject({ reserved: 2 });
    await gateway().restart(); // an in-memory sandbox: every intent is forgotten
    const reply = await api.post('/admin/payments/reconcile', undefined, admin);
    expect(reply.status).toBe(200);
    expect(reply.body.cancelled.map((c: { order_id: string }) => c.order_id).sort()).toEqual(
      opened.map((o) => o.orderId).sort(),
    );
    for (const o of opened) await orderStatus(api, o.me.token, o.orderId, 'cancelled');
    expect(await stock()).toMatchObject({ quantity: 10, reserved: 0 });
    for (const o of opened) expect((await api.get(`/payments/${o.orderId}`, o.me.token)).body.status).toBe('cancelled');
  });
});
