/**
 * A complaint keeps its order from completing: the real complaint and shipment workflows side by
 * side on the Temporal server, the complaint holding and releasing through the real signal path
 * (services/orders/complaint-client.ts), the other activities mocked. The order, delivered with a
 * completion window of a second, completes only once the case ends; a fully refunded order is
 * marked refunded before that, so the shipment's `completed` move finds nothing to complete.
 */
import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ComplaintActivities } from '../../activities/complaints';
import type { RefundActivities } from '../../activities/refunds';
import type { ShipmentActivities } from '../../activities/shipment';
import { createTemporal } from '../../platform/clients/temporal';
import { getConfig } from '../../platform/config';
import { createComplaintClient } from '../../services/orders/complaint-client';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { complaintWorkflow } from '../../workflows/complaint';
import { complaintActionUpdate, type ComplaintDeadlines } from '../../workflows/complaint-contract';
import { shipmentWorkflow } from '../../workflows/shipment';
import {
  carrierEventSignal,
  shipmentStateQuery,
  shipmentWorkflowId,
  type ShipmentState,
} from '../../workflows/shipment-contract';
import { unique } from '../support/deps';
import { NORMAL_JOURNEY } from '../../contracts/carrier';
import { withBatchedTracking } from '../support/shipment-activities';

const JOURNEY = [...NORMAL_JOURNEY];
const LONG: ComplaintDeadlines = {
  sellerAnswerSeconds: 600,
  returnShipSeconds: 600,
  inspectionSeconds: 600,
  offerResponseSeconds: 600,
  escalationSeconds: 600,
};

describe('a complaint holds its order completion', () => {
  const config = getConfig();
  const taskQueue = unique('complaint-hold');
  const temporal = createTemporal(config.temporal.address, config.temporal.namespace);
  const orderMoves = new Map<string, string[]>();
  let worker: Worker;
  let connection: NativeConnection;
  let running: Promise<void>;

  beforeAll(async () => {
    const cases = createComplaintClient(temporal.client, config);
    const shipment: Partial<ShipmentActivities> = withBatchedTracking({
      createShipment: async ({ orderId }) => ({ shipment_id: orderId }),
      bookCarrier: async ({ shipmentId }) => ({
        carrier: 'jne' as const,
        service: 'REG' as const,
        awb: `AWB-${shipmentId}`,
        reference: shipmentId,
      }),
      recordTrackingEvent: async (_s, _e, apply) => ({ moved: apply }),
      flagShipmentStuck: async () => undefined,
      advanceOrder: async (orderId, to) => {
        // The real store moves delivered → completed only; a refunded order stays refunded.
        const moves = orderMoves.get(orderId)!;
        if (to === 'completed' && moves.includes('refunded')) return false;
        moves.push(to);
        return true;
      },
    });
    const complaint: ComplaintActivities & Partial<RefundActivities> = {
      recordComplaintState: async () => undefined,
      refundComplaint: async (i) => ({
        refund_id: randomUUID(),
        status: 'refunding' as const,
        refunded_total: i.amount,
      }),
      restockReturnedGoods: async () => undefined,
      deductReplacementStock: async () => ({ ok: true as const }),
      bookComplaintParcel: async (i) => ({
        carrier: 'jne',
        awb: `AWB-${i.kind}`,
        reference: `${i.kind}-${i.complaintId}`,
      }),
      markOrderRefundedByComplaint: async (orderId) => (orderMoves.get(orderId)!.push('refunded'), true),
      holdOrderCompletion: (orderId, complaintId) => cases.holdCompletion(orderId, complaintId),
      releaseOrderCompletion: (orderId, complaintId) => cases.releaseCompletion(orderId, complaintId),
    };
    connection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities: { ...shipment, ...complaint },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await temporal.connection.close();
  });

  async function delivered() {
    const orderId = randomUUID();
    orderMoves.set(orderId, []);
    const ship = await temporal.client.workflow.start(shipmentWorkflow, {
      taskQueue,
      workflowId: shipmentWorkflowId(orderId),
      args: [
        {
          orderId,
          orderNumber: 'PSR-261125-HOLD0001',
          userId: randomUUID(),
          timings: { pickupSlaSeconds: 600, stuckAfterSeconds: 600, lostAfterSeconds: 900, completionWindowSeconds: 2 },
        },
      ],
    });
    const until = async (check: (s: ShipmentState) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const s = await ship.query(shipmentStateQuery);
        if (check(s)) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('shipment never got there');
    };
    const booked = await until((s) => s.status === 'booked');
    for (const [i, status] of JOURNEY.entries()) {
      await ship.signal(carrierEventSignal, {
        event_id: `${booked.awb}-${i + 1}`,
        awb: booked.awb!,
        reference: booked.reference!,
        carrier: 'jne',
        status,
        position: i + 1,
        occurred_at: new Date(Date.now() + i * 1000).toISOString(),
      });
    }
    await until((s) => s.status === 'delivered');
    return { orderId, ship, until };
  }

  const openCase = (orderId: string) =>
    temporal.client.workflow.start(complaintWorkflow, {
      taskQueue,
      workflowId: `complaint-${randomUUID()}`,
      args: [{ complaintId: randomUUID(), orderId, userId: randomUUID(), paidAmount: '100000.00', deadlines: LONG }],
    });

  it('an open case keeps the order delivered past its window; withdrawing it lets the order complete', async () => {
    const { orderId, ship, until } = await delivered();
    const complaint = await openCase(orderId);
    await until((s) => s.completion_holds.length === 1);
    await new Promise((r) => setTimeout(r, 3000)); // past the 2 s completion window
    expect(orderMoves.get(orderId)).toEqual(['processing', 'shipped', 'delivered']);
    await complaint.executeUpdate(complaintActionUpdate, { args: [{ by: 'buyer', type: 'withdraw' }] });
    expect((await ship.result()).outcome).toBe('completed');
    expect(orderMoves.get(orderId)).toEqual(['processing', 'shipped', 'delivered', 'completed']);
  });

  it('a case that refunds everything leaves the order refunded, never completed', async () => {
    const { orderId, ship, until } = await delivered();
    const complaint = await openCase(orderId);
    await until((s) => s.completion_holds.length === 1);
    await complaint.executeUpdate(complaintActionUpdate, { args: [{ by: 'seller', type: 'accept_refund' }] });
    await complaint.result();
    await ship.result();
    expect(orderMoves.get(orderId)).toEqual(['processing', 'shipped', 'delivered', 'refunded']);
  });
});
