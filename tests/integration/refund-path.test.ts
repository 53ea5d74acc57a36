/**
 * One path for money going back, end to end against the real stack, worker, gateway and carrier
 * simulators. Each case is a defect the refund paths had while they did not know of each other:
 * - an operator's refund of a paid order whose shipment existed refunded and restocked it while
 *   the parcel was still booked, picked up and delivered (the shipment then failed): it now goes
 *   through the shipment, which withdraws the booking first or refuses once the courier has it;
 * - a cancel of an order its complaint had refunded waited ~20 s on the running shipment, then
 *   answered 503: it is a 409 naming the state at once;
 * - a checkout cancelled while its captured payment's webhook was still on the way failed its
 *   compensation: the compensation now asks the gateway and refunds the capture, exactly once
 *   together with the late webhook.
 */
import { complaintWorkflowId } from '../../workflows/complaint-contract';
import { refundWorkflowId } from '../../workflows/refund-contract';
import { shipmentWorkflowId, type ShipmentState } from '../../workflows/shipment-contract';
import { adminToken, client, type Client } from '../support/http';
import { endLeftoverWorkflows } from '../support/leftover-workflows';
import { useServer } from '../support/server';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../support/shop';
import { complaintBody, complaintState, LONG, refundsSettled } from './complaint-support';
import { testShipments, useShipmentPipeline } from './shipment-support';

describe('one path for money going back', () => {
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      // A delivered order stays in its completion window for the whole file: its shipment keeps running.
      shipments: { ...c.shipments, ...testShipments, completionWindowSeconds: 600 },
      complaints: { ...c.complaints, deadlines: { ...LONG, sellerAnswerSeconds: 2 } },
    }),
  });
  const pipeline = useShipmentPipeline(server, { completionWindowSeconds: 600 });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  // Shipments and cases of this file that a failed test (or the long completion window) leaves
  // running are ended with a client of the file's own, so nothing waits on a task queue nobody serves.
  const started = endLeftoverWorkflows();

  const db = () => server().deps.db;
  const temporal = () => server().deps.temporal.client;
  const stockOf = async (productId: string) =>
    (await db().inventory.findUniqueOrThrow({ where: { product_id: productId } })).quantity;
  const refundOf = (orderId: string) => api.post('/refunds', { order_id: orderId, reason: 'operator refund' }, admin);

  /** How many times a workflow asked the gateway for the payment's refund (its history, not its logs). */
  async function refundsAsked(workflowId: string) {
    const history = await temporal().workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'refundPayment',
    ).length;
  }

  /** The gateway's own record of the order's payment. */
  async function gatewayIntent(orderId: string) {
    const txn = await db().transaction.findFirstOrThrow({ where: { order_id: orderId } });
    const { gatewayUrl, gatewayApiKey } = server().config.payments;
    const res = await fetch(`${gatewayUrl}/v1/intents/${txn.gateway_transaction_id}`, {
      headers: { authorization: `Bearer ${gatewayApiKey}` },
    });
    return (await res.json()) as { id: string; status: string; amount: string; amount_refunded?: string };
  }

  /** An operator's refund of a paid order whose parcel never gets picked up, sent at `moment`. */
  async function operatorRefundAt(moment: 'paid' | 'shipment_exists' | 'booked') {
    const order = await pipeline.paidOrder(api, admin, 'no_pickup', 2);
    started.push(shipmentWorkflowId(order.orderId));
    const before = order.initialStock - 2;
    if (moment !== 'paid') {
      await waitFor(`the shipment of ${order.orderId}`, async () => {
        const res = await api.get(`/shipments/${order.orderId}`, order.token);
        return res.status === 200 && (moment === 'shipment_exists' || res.body.awb) ? res.body : undefined;
      });
    }
    const res = await refundOf(order.orderId);
    expect({ moment, status: res.status }).toEqual({ moment, status: 202 });
    const refunded = await orderStatus(api, order.token, order.orderId, 'refunded', 30_000);
    // Money back means the parcel stays home: its booking is let go at the carrier, not kept.
    const booked = (await api.get(`/shipments/${order.orderId}`, order.token)).body;
    if (booked?.awb) expect((await server().services.carrier.tracking(booked.awb)).status).toBe('cancelled');
    expect(res.body).toEqual({ order_id: order.orderId, workflow_id: shipmentWorkflowId(order.orderId) });

    // The shipment owns the order: it let the booking go, then refunded and restocked, and ended well.
    const final = (await temporal().workflow.getHandle(shipmentWorkflowId(order.orderId)).result()) as ShipmentState;
    expect(final).toMatchObject({ status: 'cancelled', outcome: 'cancelled_refunded' });
    expect(refunded.shipment?.status ?? 'cancelled').toBe('cancelled');
    if (final.awb) expect((await server().services.carrier.tracking(final.awb)).status).toBe('cancelled');
    const tracking = await db().trackingEvent.findMany({ where: { shipment: { order_id: order.orderId } } });
    expect(tracking.map((e) => e.status)).not.toContain('picked_up');
    expect(await stockOf(order.productId)).toBe(before + 2);
    expect(await refundsAsked(shipmentWorkflowId(order.orderId))).toBe(1);
    const rows = await refundsSettled(server(), order.orderId);
    expect(rows.map((r) => r.status)).toEqual(['refunded']);
    expect((await gatewayIntent(order.orderId)).status).toBe('refunded');

    // Asked again, by the operator or the shopper: the same verdict, nothing moves twice.
    expect((await refundOf(order.orderId)).status).toBe(202);
    expect((await api.post(`/orders/${order.orderId}/cancel`, {}, order.token)).status).toBe(202);
    expect(await stockOf(order.productId)).toBe(before + 2);
    expect(await db().refund.count({ where: { order_id: order.orderId } })).toBe(1);
  }

  it('an operator refund the moment the order is paid withdraws the shipment before it books', async () => {
    await operatorRefundAt('paid');
  }, 120_000);

  it('an operator refund as soon as GET /shipments answers: the booking withdrawn, never shipped', async () => {
    await operatorRefundAt('shipment_exists');
  }, 120_000);

  it('an operator refund of a booked parcel: the carrier lets it go, then the money and stock go back', async () => {
    await operatorRefundAt('booked');
  }, 120_000);

  it('operator refunds racing the courier at the door: each order is refunded or shipped, never both', async () => {
    // 'normal' at 150 ms a step: the pickup scan goes out ~300 ms after booking, so refunds sent
    // when the shipment appears, and a few steps after, land before, around and after the pickup.
    const delays = [0, 100, 250, 400, 700];
    const orders = [];
    for (const _ of delays) orders.push(await pipeline.paidOrder(api, admin, 'normal', 1));
    const outcomes = await Promise.all(
      orders.map(async ({ orderId, token }, i) => {
        started.push(shipmentWorkflowId(orderId));
        await waitFor(`the shipment of ${orderId}`, async () =>
          (await api.get(`/shipments/${orderId}`, token)).status === 200 ? true : undefined,
        );
        await new Promise((r) => setTimeout(r, delays[i]));
        const res = await refundOf(orderId);
        if (res.status === 202) {
          const final = (await temporal().workflow.getHandle(shipmentWorkflowId(orderId)).result()) as ShipmentState;
          const order = (await api.get(`/orders/${orderId}`, token)).body;
          expect({ order: order.status, shipment: final.outcome }).toEqual({
            order: 'refunded',
            shipment: 'cancelled_refunded',
          });
          const tracking = await db().trackingEvent.findMany({ where: { shipment: { order_id: orderId } } });
          expect(tracking.map((e) => e.status)).not.toContain('picked_up');
          if (final.awb) expect((await server().services.carrier.tracking(final.awb)).status).toBe('cancelled');
          return 'refunded';
        }
        expect({ status: res.status, reason: res.body.error?.details?.reason }).toEqual({
          status: 409,
          reason: 'already_picked_up',
        });
        // The parcel travels on and arrives; the money stays taken.
        await orderStatus(api, token, orderId, 'delivered', 60_000);
        expect((await gatewayIntent(orderId)).status).toBe('succeeded');
        expect(await db().refund.count({ where: { order_id: orderId } })).toBe(0);
        return 'shipped';
      }),
    );
    expect(outcomes.every((o) => o === 'refunded' || o === 'shipped')).toBe(true);
  }, 180_000);

  it('an operator refund once the courier has the parcel: 409 already_picked_up, nothing moves', async () => {
    const order = await pipeline.paidOrder(api, admin, 'normal', 1);
    started.push(shipmentWorkflowId(order.orderId));
    await orderStatus(api, order.token, order.orderId, 'delivered', 150_000);
    const res = await refundOf(order.orderId);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'conflict', details: { reason: 'already_picked_up' } });
    expect((await api.get(`/orders/${order.orderId}`, order.token)).body.status).toBe('delivered');
    expect((await gatewayIntent(order.orderId)).status).toBe('succeeded');
    expect(await db().refund.count({ where: { order_id: order.orderId } })).toBe(0);
  }, 180_000);

  it('a cancel or refund of an order its complaint refunded: 409 naming the state, at once', async () => {
    const order = await pipeline.paidOrder(api, admin, 'normal', 1);
    started.push(shipmentWorkflowId(order.orderId));
    await orderStatus(api, order.token, order.orderId, 'delivered', 150_000);
    const opened = await api.post(`/orders/${order.orderId}/complaint`, complaintBody, order.token);
    expect(opened.status).toBe(201);
    started.push(complaintWorkflowId(opened.body.id));
    // The seller stays silent: the case refunds in full. The shipment still runs (its window is long).
    await complaintState(api, order.token, order.orderId, 'resolved', 60_000);
    await orderStatus(api, order.token, order.orderId, 'refunded', 30_000);
    const shipment = await temporal().workflow.getHandle(shipmentWorkflowId(order.orderId)).describe();
    expect(shipment.status.name).toBe('RUNNING');

    for (const ask of [
      () => api.post(`/orders/${order.orderId}/cancel`, {}, order.token),
      () => refundOf(order.orderId),
    ]) {
      const began = Date.now();
      const res = await ask();
      const tookMs = Date.now() - began;
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'conflict',
        details: { reason: 'already_refunded', status: 'refunded' },
      });
      // The defect waited out a 20 s deadline on the running shipment; the answer needs no waiting.
      expect(tookMs).toBeLessThan(5_000);
    }
    expect(await db().refund.count({ where: { order_id: order.orderId } })).toBe(1);
  }, 180_000);

  it('a checkout cancelled while its captured payment is still unannounced: refunded once, with the late webhook', async () => {
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect(res.body.status).toBe('awaiting_payment');
    const orderId = res.body.order_id as string;
    const workflowId = (await db().order.findUniqueOrThrow({ where: { id: orderId } })).workflow_id!;
    const txn = await db().transaction.findFirstOrThrow({ where: { order_id: orderId } });
    // The gateway captures at once but holds its webhook back until well after the cancel.
    const WEBHOOK_DELAY_MS = 6_000;
    await fetch(`${server().config.payments.gatewayUrl}/_sim/intents/${txn.gateway_transaction_id}/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delay_ms: WEBHOOK_DELAY_MS }),
    });
    expect((await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token)).status).toBe(
      202,
    );
    expect((await gatewayIntent(orderId)).status).toBe('succeeded');
    expect((await api.post(`/orders/${orderId}/cancel`, {}, me.token)).status).toBe(202);

    // The compensation completed (no saga_failed): the order cancelled, the stock released.
    const handle = temporal().workflow.getHandle(workflowId);
    expect(await handle.result()).toMatchObject({ step: 'cancelled', failure: { code: 'cancelled' } });
    await orderStatus(api, me.token, orderId, 'cancelled');
    expect((await api.get(`/products/${productId}/inventory`)).body).toMatchObject({ quantity: 5, reserved: 0 });

    // Then the late webhook arrives and is recorded; still one refund, asked once, and no second owner.
    await waitFor(
      'the late webhook',
      async () =>
        (await db().webhookEvent.findFirst({
          where: {
            order_id: orderId,
            type: 'payment_intent.succeeded',
            NOT: { event_id: { startsWith: 'reconcile:' } },
          },
        })) ?? undefined,
      WEBHOOK_DELAY_MS + 30_000,
    );
    const rows = await refundsSettled(server(), orderId);
    expect(rows.map((r) => [r.amount.toFixed(2), r.status])).toEqual([[txn.amount.toFixed(2), 'refunded']]);
    expect((await db().transaction.findUniqueOrThrow({ where: { order_id: orderId } })).status).toBe('refunded');
    const intent = await gatewayIntent(orderId);
    expect(intent.status).toBe('refunded');
    await expect(temporal().workflow.getHandle(refundWorkflowId(orderId)).describe()).rejects.toThrow();
  }, 90_000);
});
