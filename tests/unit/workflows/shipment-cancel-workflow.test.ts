/**
 * The shopper's cancel in the shipment workflow alone, with mocked activities on Temporal's
 * time-skipping test server at the production deadlines: before pickup the carrier lets the booking go and the order is refunded and restocked
 * once; a carrier that already picked the parcel up refuses and the journey goes on untouched; a
 * cancel after the pickup event is refused without asking the carrier; a cancel before the
 * shipment began starts it (the consumer's later start finds it); many repeats are one cancel.
 */
import { randomUUID } from 'node:crypto';
import type { ShipmentActivities } from '../../../activities/shipment';
import type { RefundActivities } from '../../../activities/refunds';
import { loadConfig } from '../../../platform/config';
import type { TrackingStatus } from '../../../contracts/carrier';
import { createShipmentCancel } from '../../../services/shipments/shipment-cancel';
import { startShipment } from '../../../services/shipments/shipment-client';
import {
  CANCEL_UPDATE_ID,
  cancelOrderUpdate,
  carrierEventSignal,
  shipmentStateQuery,
  shipmentWorkflowId,
  type ShipmentState,
  type ShipmentTimings,
  type TrackingSignal,
} from '../../../workflows/shipment-contract';
import { eventually, quiescent, useTimeSkippingWorker } from '../../support/time-skipping';
import { NORMAL_JOURNEY } from '../../../contracts/carrier';
import { withBatchedTracking } from '../../support/shipment-activities';

interface Run {
  calls: string[];
  orderStatuses: string[];
  /** The carrier already picked the parcel up (its event may not have reached the workflow). */
  pickedUpAtCarrier: boolean;
  /** What the refund steps were handed: `step:reason:reason id`. */
  reasons: string[];
}

const runs = new Map<string, Run>();
const shipmentIdOf = (orderId: string) => `00000000-0000-4000-a000-${orderId.slice(-12)}`;
const orderOfShipment = (shipmentId: string) => [...runs.keys()].find((o) => shipmentIdOf(o) === shipmentId)!;
const orderOfAwb = (awb: string) => [...runs.keys()].find((o) => awb.endsWith(o.slice(0, 8)))!;
const note = (orderId: string, call: string) => runs.get(orderId)!.calls.push(call);

function mockActivities(): Partial<ShipmentActivities & RefundActivities> {
  return withBatchedTracking({
    createShipment: async ({ orderId }) => (note(orderId, 'createShipment'), { shipment_id: shipmentIdOf(orderId) }),
    bookCarrier: async ({ orderId, shipmentId, attempt }) => {
      note(orderId, `bookCarrier:${attempt}`);
      return {
        carrier: 'jne',
        service: 'REG' as const,
        awb: `AWB${attempt}-${orderId.slice(0, 8)}`,
        reference: shipmentId,
      };
    },
    cancelBooking: async (carrier, awb) => (note(orderOfAwb(awb), `cancelBooking:${carrier}`), 'cancelled'),
    withdrawBooking: async (awb) => {
      const orderId = orderOfAwb(awb);
      note(orderId, 'withdrawBooking');
      return runs.get(orderId)!.pickedUpAtCarrier ? 'already_picked_up' : 'cancelled';
    },
    recordTrackingEvent: async (shipmentId, event, apply) => {
      note(orderOfShipment(shipmentId), `record:${event.status}`);
      return { moved: apply };
    },
    flagShipmentStuck: async () => undefined,
    cancelShipment: async (shipmentId) => void note(orderOfShipment(shipmentId), 'cancelShipment'),
    advanceOrder: async (orderId, to) => (runs.get(orderId)!.orderStatuses.push(to), true),
    markShippedOrderRefunded: async (orderId, reason, reasonId) => {
      runs.get(orderId)!.reasons.push(`markShippedOrderRefunded:${reason}:${reasonId ?? ''}`);
      return (runs.get(orderId)!.orderStatuses.push('refunded'), true);
    },
    refundPayment: async (orderId, reason, _key, reasonId) => {
      runs.get(orderId)!.reasons.push(`refundPayment:${reason}:${reasonId ?? ''}`);
      return (note(orderId, 'refundPayment'), 'refunding');
    },
    restockOrder: async (orderId) => void note(orderId, 'restockOrder'),
  });
}

const JOURNEY = [...NORMAL_JOURNEY];

// The production defaults (days), whatever the test run's environment says.
const defaults = loadConfig({}).shipments;
const timings: ShipmentTimings = {
  pickupSlaSeconds: defaults.pickupSlaSeconds,
  stuckAfterSeconds: defaults.stuckAfterSeconds,
  lostAfterSeconds: defaults.lostAfterSeconds,
  completionWindowSeconds: defaults.completionWindowSeconds,
};

describe('shipment workflow: the shopper cancels before pickup', () => {
  const temporal = useTimeSkippingWorker(mockActivities);
  const { taskQueue } = temporal;
  const client = () => temporal.env().client;
  const cancels = () => createShipmentCancel(client(), { taskQueue, timings });

  function newOrder() {
    const orderId = randomUUID();
    runs.set(orderId, { calls: [], orderStatuses: [], pickedUpAtCarrier: false, reasons: [] });
    const ref = { orderId, orderNumber: 'PSR-261125-CANC0001', userId: randomUUID() };
    temporal.track(shipmentWorkflowId(orderId));
    return {
      ref,
      orderId,
      run: runs.get(orderId)!,
      handle: client().workflow.getHandle(shipmentWorkflowId(orderId)),
    };
  }
  type Handle = ReturnType<typeof newOrder>['handle'];

  /** Started as the order.paid consumer starts it, and waited for until booked. */
  async function booked() {
    const order = newOrder();
    expect(await startShipment(client(), { taskQueue, timings }, order.ref)).toBe(true);
    const state = await waitFor(order.handle, (s) => s.status === 'booked', 'booked');
    return { ...order, state };
  }

  /** Polls the state in real time (the server's clock does not skip meanwhile). */
  const waitFor = (handle: Handle, check: (s: ShipmentState) => boolean, what: string) =>
    eventually(what, async () => {
      const s = await handle.query(shipmentStateQuery).catch(() => undefined);
      return s && check(s) ? s : undefined;
    });

  const eventsFor = (s: ShipmentState, statuses: TrackingStatus[]): TrackingSignal[] =>
    statuses.map((status, i) => ({
      event_id: `${s.awb}-${i + 1}`,
      awb: s.awb!,
      reference: s.reference!,
      carrier: 'jne',
      status,
      position: i + 1,
      occurred_at: new Date(Date.now() + i * 1000).toISOString(),
    }));

  async function send(handle: Handle, events: TrackingSignal[]) {
    for (const e of events) await handle.signal(carrierEventSignal, e);
  }

  it('booked, not picked up: the carrier lets it go, then one refund, restock and the order refunded', async () => {
    const { ref, run, handle } = await booked();
    const { answer } = await cancels().cancel(ref);
    expect(answer).toEqual({ accepted: true });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'cancelled', outcome: 'cancelled_refunded' });
    expect(run.calls).toEqual([
      'createShipment',
      'bookCarrier:1',
      'withdrawBooking',
      'cancelShipment',
      'refundPayment',
      'restockOrder',
    ]);
    expect(run.orderStatuses).toEqual(['processing', 'refunded']);
    // A repeat after the shipment ended gets the same verdict and starts nothing.
    expect((await cancels().cancel(ref)).answer).toEqual({ accepted: true });
    expect(run.calls.filter((c) => c === 'refundPayment')).toHaveLength(1);
  });

  it('the carrier picked it up a moment ago: refused, the order untouched, the journey goes on', async () => {
    const { ref, run, handle, state } = await booked();
    run.pickedUpAtCarrier = true;
    const { answer } = await cancels().cancel(ref);
    expect(answer).toEqual({ accepted: false, reason: 'already_picked_up' });
    await send(handle, eventsFor(state, JOURNEY));
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'delivered', outcome: 'completed' });
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
    expect(run.calls).not.toContain('refundPayment');
    expect(run.calls).not.toContain('cancelShipment');
  });

  it('refused as picked up, its scan late past the pickup SLA: no rebook, the parcel ships', async () => {
    const { ref, run, handle, state } = await booked();
    run.pickedUpAtCarrier = true;
    expect((await cancels().cancel(ref)).answer).toEqual({ accepted: false, reason: 'already_picked_up' });
    await temporal.env().sleep((timings.pickupSlaSeconds + 60) * 1000);
    await quiescent(handle);
    expect(run.calls).not.toContain('bookCarrier:2');
    expect(run.calls).not.toContain('cancelBooking:jne');
    await send(handle, eventsFor(state, JOURNEY));
    expect((await handle.result()).outcome).toBe('completed');
    expect(run.calls).not.toContain('refundPayment');
  });

  it('after the pickup event: refused at once, the carrier is not even asked', async () => {
    const { ref, run, handle, state } = await booked();
    await send(handle, eventsFor(state, JOURNEY.slice(0, 3)));
    await waitFor(handle, (s) => s.status === 'picked_up', 'picked up');
    expect((await cancels().cancel(ref)).answer).toEqual({ accepted: false, reason: 'already_picked_up' });
    expect(run.calls).not.toContain('withdrawBooking');
    await handle.terminate('test done');
  });

  it('a pickup and a cancel arriving together: exactly one wins', async () => {
    const { ref, run, handle, state } = await booked();
    run.pickedUpAtCarrier = true;
    const [{ answer }] = await Promise.all([cancels().cancel(ref), send(handle, eventsFor(state, JOURNEY))]);
    expect(answer).toEqual({ accepted: false, reason: 'already_picked_up' });
    expect((await handle.result()).outcome).toBe('completed');
    expect(run.calls).not.toContain('refundPayment');
  });

  it('before the shipment began: the cancel starts it, nothing is booked, and the consumer start is a no-op', async () => {
    const { ref, run, handle } = newOrder();
    expect((await cancels().cancel(ref)).answer).toEqual({ accepted: true });
    expect(await startShipment(client(), { taskQueue, timings }, ref)).toBe(false);
    expect((await handle.result()).outcome).toBe('cancelled_refunded');
    expect(run.calls).toEqual(['createShipment', 'cancelShipment', 'refundPayment', 'restockOrder']);
    expect(run.orderStatuses).toEqual(['refunded']);
  });

  it("an operator's reason travels by id to the refund steps; the old shape's text is passed on as before", async () => {
    const byId = await booked();
    expect((await cancels().cancel(byId.ref, 'operator', 'request-1')).answer).toEqual({ accepted: true });
    await byId.handle.result();
    // An update as histories recorded before reasons travelled by id carry it: the operator's text.
    const byText = await booked();
    const text = 'refund ke BCA 1234567890, telp 0813 1234 5678';
    const old = await byText.handle.executeUpdate(cancelOrderUpdate, {
      updateId: CANCEL_UPDATE_ID,
      args: [{ reason: text, by: 'operator' }],
    });
    expect(old).toEqual({ accepted: true });
    await byText.handle.result();
    expect(byId.run.reasons).toEqual([
      'refundPayment:refunded by an operator:request-1',
      'markShippedOrderRefunded:refunded by an operator:request-1',
    ]);
    expect(byText.run.reasons).toEqual([`refundPayment:${text}:`, `markShippedOrderRefunded:${text}:`]);
    // Same steps either way; a shopper's cancel hands its fixed label and no id.
    expect(byText.run.calls).toEqual(byId.run.calls);
    const shopper = await booked();
    await cancels().cancel(shopper.ref);
    await shopper.handle.result();
    expect(shopper.run.reasons[0]).toBe('refundPayment:cancelled by the shopper before pickup:');
  });

  it('a cancel repeated 50 times at once is one cancel: one carrier call, one refund', async () => {
    const { ref, run, handle } = await booked();
    const answers = await Promise.all(Array.from({ length: 50 }, () => cancels().cancel(ref)));
    expect(answers.every((a) => a.answer.accepted)).toBe(true);
    await handle.result();
    expect(run.calls.filter((c) => c === 'withdrawBooking')).toHaveLength(1);
    expect(run.calls.filter((c) => c === 'refundPayment')).toHaveLength(1);
    // Temporal kept one update, not fifty.
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest?.meta?.updateId).toBe(
      CANCEL_UPDATE_ID,
    );
  });
});
