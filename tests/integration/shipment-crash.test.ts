/**
 * The worker process dies (SIGKILL) mid-shipment, after pickup, while the carrier keeps pushing
 * events. The events wait in Temporal as signals; a new worker picks the workflow up where it
 * stopped: the parcel is delivered, each tracking event recorded once, the carrier booked once,
 * each order status reached once.
 */
import type { ChildProcess } from 'node:child_process';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';
import { orderStatus } from '../support/shop';
import { kill, startWorkerProcess } from '../support/worker-process';
import { testShipments, useShipmentPipeline } from './shipment-support';

describe('a worker crash mid-shipment', () => {
  const server = useServer({ worker: false });
  const pipeline = useShipmentPipeline(server);
  let api: Client;
  let worker: ChildProcess | undefined;
  const workerEnv = () => ({
    TEMPORAL_TASK_QUEUE: server().config.temporal.taskQueue,
    PAYMENT_WEBHOOK_URL: `${server().base}/payments/webhook`,
    SHIPMENT_CARRIER_STEP_MS: String(testShipments.carrierStepMs),
    SHIPMENT_TEST_SCENARIOS: 'on',
    SHIPMENT_DELIVERY: 'websocket',
  });

  beforeAll(async () => {
    api = client(server().base);
  });
  afterAll(async () => {
    if (worker) await kill(worker, 'SIGTERM');
  });

  it('delivers after a restart with one booking, each event once, each order status once', async () => {
    worker = await startWorkerProcess(workerEnv());
    const { orderId, token } = await pipeline.paidOrder(api, await adminToken(server()), 'normal');
    await orderStatus(api, token, orderId, 'shipped', 60_000);

    await kill(worker); // SIGKILL: no shutdown, no drain
    worker = undefined;
    await new Promise((r) => setTimeout(r, 1500)); // the carrier keeps pushing: the signals wait in Temporal
    expect((await api.get(`/orders/${orderId}`, token)).body.status).toBe('shipped');

    worker = await startWorkerProcess(workerEnv());
    await orderStatus(api, token, orderId, 'completed', 60_000);
    const shipment = (await api.get(`/shipments/${orderId}`, token)).body;
    expect(shipment).toMatchObject({ status: 'delivered', booking_attempt: 1 });
    const tracking = (await api.get(`/shipments/${shipment.id}/tracking`, token)).body;
    expect(tracking.events.map((e: { status: string }) => e.status)).toEqual([
      'order_received',
      'packing',
      'picked_up',
      'arrived_facility',
      'departed_facility',
      'out_for_delivery',
      'delivered',
    ]);
    const { db } = server().deps;
    const events = await db.outboxEvent.findMany({ where: { key: orderId }, orderBy: { sequence: 'asc' } });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'shipment.created')).toHaveLength(1);
    expect(types.filter((t) => t.startsWith('order.'))).toEqual([
      'order.created',
      'order.paid',
      'order.processing',
      'order.shipped',
      'order.delivered',
      'order.completed',
    ]);
  });
});
