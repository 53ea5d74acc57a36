/**
 * Shipping end to end against the real stack: real checkouts paid through the gateway simulator,
 * the outbox relay and Kafka carrying order.paid to the shipment starter (the real consumer
 * runtime), the real worker booking the carrier simulator, and the carrier link (its own stream
 * cursor) pushing the simulator's events through the tracking intake into the workflows. The
 * address label `carrier:<scenario>` picks each parcel's journey; the simulator runs a step every
 * SHIPMENT_CARRIER_STEP_MS.
 */
import { signCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import { shipmentWorkflowId } from '../../workflows/shipment-contract';
import { adminToken, client, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { orderStatus, waitFor } from '../support/shop';
import { testShipments, useShipmentPipeline } from './shipment-support';
import { NORMAL_JOURNEY, type TrackingStatus } from '../../contracts/carrier';

const JOURNEY = [...NORMAL_JOURNEY];

describe('shipments end to end', () => {
  // A journey takes seconds, but a lost parcel waits for its stuck and lost deadlines after pickup.
  jest.setTimeout(150_000);
  const server = useServer({
    worker: true,
    configure: (c) => ({ ...c, shipments: { ...c.shipments, ...testShipments } }),
  });
  const pipeline = useShipmentPipeline(server);
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const paidOrder = (scenario: string, quantity?: number) => pipeline.paidOrder(api, admin, scenario, quantity);

  const stockOf = async (productId: string) =>
    (await server().deps.db.inventory.findUniqueOrThrow({ where: { product_id: productId } })).quantity;
  const orderEvents = async (orderId: string) =>
    (
      await server().deps.db.outboxEvent.findMany({
        where: { key: orderId, topic: 'pasar.orders' },
        orderBy: { sequence: 'asc' },
      })
    ).map((e) => e.type);

  it('paid → delivered → completed, with the tracking events in journey order', async () => {
    const { orderId, token } = await paidOrder('normal');
    const done = await orderStatus(api, token, orderId, 'completed', 60_000);
    expect(done.shipment).toMatchObject({ status: 'delivered', latest_event: { status: 'delivered' } });
    const shipment = await api.get(`/shipments/${orderId}`, token);
    expect(shipment.status).toBe(200);
    expect(shipment.body).toMatchObject({ status: 'delivered', carrier: 'jne', booking_attempt: 1 });
    expect(shipment.body.awb).toMatch(/\S+/);
    const tracking = await api.get(`/shipments/${shipment.body.id}/tracking`, token);
    expect(tracking.body.events.map((e: { status: string }) => e.status)).toEqual(JOURNEY);
    expect(await orderEvents(orderId)).toEqual([
      'order.created',
      'order.paid',
      'order.processing',
      'order.shipped',
      'order.delivered',
      'order.completed',
    ]);
  });

  it.each(['duplicated', 'out_of_order'])(
    '%s pushes: each event recorded once, the status never goes back',
    async (scenario) => {
      const { orderId, token } = await paidOrder(scenario);
      await orderStatus(api, token, orderId, 'completed', 60_000);
      const shipment = (await api.get(`/shipments/${orderId}`, token)).body;
      const tracking = (await api.get(`/shipments/${shipment.id}/tracking`, token)).body;
      const ids = tracking.events.map((e: { event_id: string }) => e.event_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(tracking.events.map((e: { status: string }) => e.status)).toEqual(JOURNEY);
      const moves = await server().deps.db.outboxEvent.findMany({
        where: { key: orderId, topic: 'pasar.shipments', type: 'shipment.status_changed' },
        orderBy: { sequence: 'asc' },
      });
      const ranks = moves.map((m) =>
        JOURNEY.indexOf((m.payload as { data: { tracking_status: TrackingStatus } }).data.tracking_status),
      );
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect((await orderEvents(orderId)).filter((t) => t === 'order.delivered')).toHaveLength(1);
    },
  );

  it('returned to sender: the order is refunded and its stock is back', async () => {
    const { orderId, productId, initialStock, token } = await paidOrder('returned', 3);
    const refunded = await orderStatus(api, token, orderId, 'refunded', 60_000);
    expect(refunded.shipment).toMatchObject({ status: 'returned', latest_event: { status: 'returned_to_sender' } });
    await waitFor('the payment refunded', async () => {
      const p = await api.get(`/payments/${orderId}`, token);
      return ['refunding', 'refunded'].includes(p.body.status);
    });
    // The three units come back by the workflow's restock step, right after the order's refund.
    await waitFor('the stock back', async () => (await stockOf(productId)) === initialStock);
    expect(await orderEvents(orderId)).toEqual(expect.arrayContaining(['order.returned', 'order.refunded']));
  });

  it('lost parcel: flagged stuck for operators, then cancelled and refunded (not restocked)', async () => {
    const { orderId, productId, token } = await paidOrder('lost');
    const before = await stockOf(productId);
    await waitFor('the stuck flag', async () => {
      const res = await api.get('/admin/shipments/stuck?page_size=100', admin);
      return res.body.data.some((s: { order_id: string }) => s.order_id === orderId);
    });
    const described = await server().deps.temporal.client.workflow.getHandle(shipmentWorkflowId(orderId)).describe();
    expect(described.searchAttributes.ShipmentStuck).toEqual([true]);
    const refunded = await orderStatus(api, token, orderId, 'refunded', 60_000);
    expect(refunded.shipment).toMatchObject({ status: 'cancelled', stuck: false });
    expect(await stockOf(productId)).toBe(before);
  });

  it('signed webhooks reach the workflow: each applied once however often it is posted', async () => {
    // 'lost': the simulator goes quiet after pickup; the rest of the journey comes by webhook.
    const { orderId, token } = await paidOrder('lost');
    await orderStatus(api, token, orderId, 'shipped', 60_000);
    const shipment = (await api.get(`/shipments/${orderId}`, token)).body;
    const post = async (status: string, position: number) => {
      const raw = JSON.stringify({
        event_id: `${shipment.awb}-webhook-${position}`,
        seq: 0,
        awb: shipment.awb,
        reference: shipment.id,
        carrier: shipment.carrier,
        status,
        position,
        occurred_at: new Date().toISOString(),
      });
      const res = await fetch(`${server().base}/shipments/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signCarrierWebhook(server().config.carrier.webhookSecret, raw),
        },
        body: raw,
      });
      return { status: res.status, body: await res.json() };
    };
    const rest = ['arrived_facility', 'departed_facility', 'out_for_delivery', 'delivered'];
    for (const [i, status] of rest.entries()) {
      for (let copy = 0; copy < 3; copy++) {
        expect(await post(status, 4 + i)).toEqual({ status: 200, body: { received: true, outcome: 'delivered' } });
      }
    }
    await orderStatus(api, token, orderId, 'completed', 60_000);
    const tracking = (await api.get(`/shipments/${shipment.id}/tracking`, token)).body;
    expect(tracking.events.map((e: { status: string }) => e.status)).toEqual(JOURNEY);
    // A retry of a recorded event is answered from the record: no signal (the workflow has even ended).
    expect(await post('delivered', 7)).toEqual({ status: 200, body: { received: true, outcome: 'delivered' } });
  });

  it('operators list shipments by status and rebook a parcel nobody picked up with the next carrier', async () => {
    const { orderId, token } = await paidOrder('no_pickup');
    const first = await waitFor('the first booking', async () => {
      const res = await api.get(`/shipments/${orderId}`, token);
      return res.body?.awb ? res.body : undefined;
    });
    expect(first).toMatchObject({ carrier: 'jne', booking_attempt: 1, status: 'booked' });
    const booked = await api.get('/admin/shipments?status=booked&page_size=100', admin);
    expect(booked.status).toBe(200);
    expect(booked.body.data.map((s: { order_id: string }) => s.order_id)).toContain(orderId);

    const rebook = await api.post(`/admin/shipments/${orderId}/rebook`, { reason: 'the courier never came' }, admin);
    expect(rebook).toMatchObject({ status: 202, body: { order_id: orderId, status: 'rebooking' } });
    const second = await waitFor('the second booking', async () => {
      const res = await api.get(`/shipments/${orderId}`, token);
      return res.body?.booking_attempt === 2 && res.body.awb !== first.awb ? res.body : undefined;
    });
    expect(second.carrier).toBe('sicepat');
    expect((await server().services.carrier.tracking(first.awb)).status).toBe('cancelled');
    // Tidy: this parcel would wait out two more pickup SLAs before its refund.
    await server().deps.temporal.client.workflow.getHandle(shipmentWorkflowId(orderId)).terminate('test done');
  });

  it.each([
    ['GET', '/admin/shipments?status=teleported', 'status', undefined],
    ['GET', '/admin/shipments?page_size=1000', 'page_size', undefined],
    ['GET', '/admin/shipments/stuck?page=-1', 'page', undefined],
    ['POST', `/admin/shipments/not-a-uuid/rebook`, 'orderId', { reason: 'x' }],
    ['POST', `/admin/shipments/${crypto.randomUUID()}/rebook`, 'reason', { reason: '' }],
    ['POST', `/admin/shipments/${crypto.randomUUID()}/rebook`, 'reason', { reason: 7 }],
  ])('%s %s is a 400 naming %s', async (method, path, field, body) => {
    const res = await api.raw(method, path, { body, token: admin });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain(field);
  });

  it('rebooking an order without a shipment is a 404; a delivered one is a 409', async () => {
    const missing = await api.post(`/admin/shipments/${crypto.randomUUID()}/rebook`, { reason: 'why not' }, admin);
    expect(missing.status).toBe(404);
    const { orderId, token } = await paidOrder('normal');
    await orderStatus(api, token, orderId, 'completed', 60_000);
    const late = await api.post(`/admin/shipments/${orderId}/rebook`, { reason: 'too late' }, admin);
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  });

  it("another shopper's shipment is a 404, like a missing one", async () => {
    const { orderId, token } = await paidOrder('normal');
    const shipment = await waitFor('the shipment', async () => {
      const res = await api.get(`/shipments/${orderId}`, token);
      return res.status === 200 ? res.body : undefined;
    });
    const other = await signUp(api);
    expect((await api.get(`/shipments/${orderId}`, other.token)).status).toBe(404);
    expect((await api.get(`/shipments/${shipment.id}/tracking`, other.token)).status).toBe(404);
    expect((await api.get(`/shipments/${orderId}`)).status).toBe(401);
  });
});
