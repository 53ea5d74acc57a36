/**
 * Settled, then denied (issue 21): the real-world downgrade where the acquirer takes back a
 * payment the gateway had already settled. Against the real stack, a worker and a shipment
 * pipeline of the file's own, and a gateway simulator process of its own whose
 * POST /_sim/transactions/{id}/deny sends the deny notification. Before pickup the parcel is
 * withdrawn through the shipment's cancel, the order cancelled, the stock back and nothing
 * refunded (the money never arrived); after pickup the parcel goes on and an operator is told.
 */
import { shipmentStateQuery, shipmentWorkflowId } from '../../workflows/shipment-contract';
import { useGatewayProcess } from '../support/gateway-process';
import { adminToken, client, type Client } from '../support/http';
import { endLeftoverWorkflows } from '../support/leftover-workflows';
import { atGateway, checkoutWith } from '../support/payments';
import { useServer } from '../support/server';
import { newProduct, shopperWithCart, waitFor } from '../support/shop';
import { testShipments, useShipmentPipeline } from './shipment-support';

describe('a settled payment later denied', () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: { ...c.payments, gatewayUrl: gateway().url, gatewayName: `reversal-${Date.now().toString(36)}` },
      shipments: { ...c.shipments, ...testShipments, completionWindowSeconds: 600 },
    }),
  });
  const pipeline = useShipmentPipeline(server, { completionWindowSeconds: 600 });
  const started = endLeftoverWorkflows();
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });
  const db = () => server().deps.db;

  const transactionOf = async (orderId: string) =>
    (await db().transaction.findUniqueOrThrow({ where: { order_id: orderId } })).gateway_transaction_id!;
  const stockOf = async (productId: string) =>
    db().inventory.findUniqueOrThrow({ where: { product_id: productId }, select: { quantity: true, reserved: true } });
  const outboxOf = (orderId: string, type: string) => db().outboxEvent.count({ where: { key: orderId, type } });
  const orderOf = async (orderId: string, token: string) => (await api.get(`/orders/${orderId}`, token)).body;
  const paymentOf = async (orderId: string, token: string) => (await api.get(`/payments/${orderId}`, token)).body;

  it('before pickup: the parcel withdrawn, the order cancelled, the stock back, nothing refunded; a repeated deny changes nothing', async () => {
    const order = await pipeline.paidOrder(api, admin, 'no_pickup');
    started.push(shipmentWorkflowId(order.orderId));
    const txn = await transactionOf(order.orderId);
    expect(await stockOf(order.productId)).toMatchObject({ quantity: order.initialStock - 2, reserved: 0 });
    // The gateway delivers the deny three times.
    const behaviour = await fetch(`${gateway().url}/_sim/intents/${txn}/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duplicates: 2, delay_ms: 0, drop: false }),
    });
    expect(behaviour.status).toBe(200);

    expect((await atGateway(gateway().url, `/_sim/transactions/${txn}/deny`)).status).toBe(200);

    await waitFor('the order cancelled', async () =>
      (await orderOf(order.orderId, order.token)).status === 'cancelled' ? true : undefined,
    );
    expect(await paymentOf(order.orderId, order.token)).toMatchObject({ status: 'reversed' });
    // The shipment accepted the withdrawal: the one cancel path, by the gateway.
    const state = await server()
      .deps.temporal.client.workflow.getHandle(shipmentWorkflowId(order.orderId))
      .query(shipmentStateQuery);
    expect(state.cancel_answer).toEqual({ accepted: true });
    await waitFor('the stock back on the shelf', async () => {
      const stock = await stockOf(order.productId);
      return stock.quantity === order.initialStock ? stock : undefined;
    });
    // Nothing refunded: no refund row, none asked of the gateway.
    expect(await db().refund.count({ where: { order_id: order.orderId } })).toBe(0);
    const status = await fetch(`${gateway().url}/v2/${txn}/status`, {
      headers: { authorization: `Bearer ${server().config.payments.gatewayApiKey}` },
    }).then((r) => r.json() as Promise<any>);
    expect(status).toMatchObject({ transaction_status: 'deny', refunds: [] });
    // The three deliveries (and the repeat below) made one reversal: one event, one cancel, stock once.
    expect((await atGateway(gateway().url, `/_sim/transactions/${txn}/deny`)).status).toBe(409);
    await waitFor('all three deliveries answered', async () => {
      const res = await fetch(`${gateway().url}/_sim/deliveries`).then((r) => r.json() as Promise<any>);
      const denies = (res.deliveries as any[]).filter(
        (d) => d.event_id.includes(txn) && d.transaction_status === 'deny' && d.delivered,
      );
      return denies.length >= 3 ? denies : undefined;
    });
    expect(await outboxOf(order.orderId, 'payment.reversed')).toBe(1);
    expect(await outboxOf(order.orderId, 'order.cancelled')).toBe(1);
    expect(await outboxOf(order.orderId, 'payment.reversal_flagged')).toBe(0);
    expect(await stockOf(order.productId)).toMatchObject({ quantity: order.initialStock, reserved: 0 });
  });

  it('after pickup: the parcel goes on, the order stays, and the operator sees it in the reconciliation issues', async () => {
    const order = await pipeline.paidOrder(api, admin, 'normal');
    started.push(shipmentWorkflowId(order.orderId));
    const txn = await transactionOf(order.orderId);
    await waitFor(
      'the parcel picked up',
      async () => {
        const status = (await orderOf(order.orderId, order.token)).status as string;
        return ['shipped', 'delivered', 'completed'].includes(status) ? status : undefined;
      },
      60_000,
    );

    expect((await atGateway(gateway().url, `/_sim/transactions/${txn}/deny`)).status).toBe(200);

    const issue = await waitFor('the reversal flagged for the operator', async () => {
      const res = await api.get('/admin/payments/reconciliation-issues', admin);
      return (res.body.data as any[]).find((i) => i.order_id === order.orderId);
    });
    expect(issue).toMatchObject({ kind: 'settled_then_denied', intent_id: txn });
    expect(await paymentOf(order.orderId, order.token)).toMatchObject({ status: 'reversed' });
    expect(await outboxOf(order.orderId, 'payment.reversal_flagged')).toBe(1);
    // The parcel was not withdrawn and the order not cancelled; nothing refunded.
    expect(['shipped', 'delivered', 'completed']).toContain((await orderOf(order.orderId, order.token)).status);
    const state = await server()
      .deps.temporal.client.workflow.getHandle(shipmentWorkflowId(order.orderId))
      .query(shipmentStateQuery);
    expect(state.cancel_answer).toBeUndefined();
    expect(await db().refund.count({ where: { order_id: order.orderId } })).toBe(0);
  });

  it('a deny before settlement is the plain decline it always was; the simulator denies only settled payments', async () => {
    const productId = await newProduct(api, admin, 5, '25000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkoutWith(api, me.token, me.address_id, { type: 'ewallet', provider: 'gopay' });
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    const txn = await transactionOf(orderId);
    expect((await atGateway(gateway().url, `/_sim/transactions/${txn}/deny`)).status).toBe(409);
    expect((await atGateway(gateway().url, `/_sim/ewallet/${txn}/deny`)).status).toBe(200);
    await waitFor('the order cancelled by its checkout', async () =>
      (await orderOf(orderId, me.token)).status === 'cancelled' ? true : undefined,
    );
    expect(await paymentOf(orderId, me.token)).toMatchObject({ status: 'failed' });
    expect(await outboxOf(orderId, 'payment.reversed')).toBe(0);
    expect(await stockOf(productId)).toMatchObject({ quantity: 5, reserved: 0 });
  });
});
