/**
 * The worker process dies (SIGKILL) mid-shipment, after pickup, while the carrier keeps pushing
 * events. The events wait in Temporal as signals; a new worker picks the workflow up where it
 * stopped: the parcel is delivered, each tracking event recorded once, the carrier booked once,
 * each order status reached once.
 */
import type { ChildProcess } from 'node:child_process';
import { shipmentWorkflowId, type TrackingSignal } from '../../workflows/shipment-contract';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';
import { orderStatus, waitFor } from '../support/shop';
import { kill, startWorkerProcess } from '../support/worker-process';
import { useShipmentPipeline } from './shipment-support';
import { NORMAL_JOURNEY } from '../../contracts/carrier';

/**
 * A second between the carrier's scans (the journey takes 6 s): the test sees the order shipped and
 * kills the worker well before the parcel is delivered, however quick the machine.
 */
const CARRIER_STEP_MS = 1000;

describe('a worker crash mid-shipment', () => {
  // Two worker processes start here, each compiling and bundling the workflows (10-30 s apiece on a
  // busy 2-core machine): the test waits on their 'worker polling' and on the order, not on the clock.
  jest.setTimeout(240_000);
  const server = useServer({ worker: false });
  const pipeline = useShipmentPipeline(server);
  let api: Client;
  let worker: ChildProcess | undefined;
  const workerEnv = () => ({
    TEMPORAL_TASK_QUEUE: server().config.temporal.taskQueue,
    PAYMENT_WEBHOOK_URL: `${server().base}/payments/webhook`,
    SHIPMENT_CARRIER_STEP_MS: String(CARRIER_STEP_MS),
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
    // The carrier keeps pushing: the rest of the journey waits in Temporal as signals, applied by nobody.
    const handle = server().deps.temporal.client.workflow.getHandle(shipmentWorkflowId(orderId));
    await waitFor('the delivered scan signalled to the workflow', async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      return events.some((e) => {
        const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
        return payload && (JSON.parse(Buffer.from(payload).toString()) as TrackingSignal).status === 'delivered';
      });
    });
    expect((await api.get(`/orders/${orderId}`, token)).body.status).toBe('shipped');

    worker = await startWorkerProcess(workerEnv());
    await orderStatus(api, token, orderId, 'completed', 60_000);
    const shipment = (await api.get(`/shipments/${orderId}`, token)).body;
    expect(shipment).toMatchObject({ status: 'delivered', booking_attempt: 1 });
    const tracking = (await api.get(`/shipments/${shipment.id}/tracking`, token)).body;
    expect(tracking.events.map((e: { status: string }) => e.status)).toEqual([...NORMAL_JOURNEY]);
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
