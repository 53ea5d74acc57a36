/**
 * The shipment workflow alone, with mocked activities, on Temporal's time-skipping test server at
 * the production deadlines (days, skipped): every branch (delivered and completed, duplicated and shuffled events, a
 * rebooking after a missed pickup, no pickup at all, stuck then lost, stuck then heard again,
 * returned to sender, a complaint holding completion, an operator's rebook).
 */
import { randomUUID } from 'node:crypto';
import type { RefundActivities } from '../../../activities/refunds';
import type { ShipmentActivities } from '../../../activities/shipment';
import { loadConfig } from '../../../platform/config';
import type { TrackingStatus } from '../../../contracts/carrier';
import { shipmentWorkflow } from '../../../workflows/shipment';
import {
  carrierEventSignal,
  holdCompletionSignal,
  rebookSignal,
  releaseCompletionSignal,
  shipmentStateQuery,
  type ShipmentState,
  type ShipmentTimings,
  type TrackingSignal,
} from '../../../workflows/shipment-contract';
import { unique } from '../../support/unique';
import { eventually, quiescent, useTimeSkippingWorker } from '../../support/time-skipping';
import { NORMAL_JOURNEY } from '../../../contracts/carrier';
import { withBatchedTracking } from '../../support/shipment-activities';

interface Run {
  calls: string[];
  orderStatuses: string[];
  applied: TrackingStatus[];
}

const runs = new Map<string, Run>();
const runOf = (orderId: string) => runs.get(orderId)!;
const shipmentIdOf = (orderId: string) => `00000000-0000-4000-a000-${orderId.slice(-12)}`;
const orderOfShipment = (shipmentId: string) => [...runs.keys()].find((o) => shipmentIdOf(o) === shipmentId)!;

function mockActivities(): Partial<ShipmentActivities & RefundActivities> {
  const note = (orderId: string, call: string) => runOf(orderId).calls.push(call);
  return withBatchedTracking({
    createShipment: async ({ orderId }) => (note(orderId, 'createShipment'), { shipment_id: shipmentIdOf(orderId) }),
    bookCarrier: async ({ orderId, shipmentId, attempt }) => {
      note(orderId, `bookCarrier:${attempt}`);
      const carrier = (['jne', 'sicepat', 'jnt'] as const)[attempt - 1]!;
      const reference = attempt === 1 ? shipmentId : `${shipmentId}.${attempt}`;
      return { carrier, service: 'REG' as const, awb: `AWB${attempt}-${orderId.slice(0, 8)}`, reference };
    },
    cancelBooking: async (carrier, awb) => (note(orderOfAwb(awb), `cancelBooking:${carrier}`), 'cancelled'),
    recordTrackingEvent: async (shipmentId, event, apply) => {
      const run = runOf(orderOfShipment(shipmentId));
      if (apply) run.applied.push(event.status);
      run.calls.push(`record:${event.status}:${apply ? 'applied' : 'kept'}`);
      return { moved: apply };
    },
    flagShipmentStuck: async (shipmentId, stuck) => void note(orderOfShipment(shipmentId), `stuck:${stuck}`),
    cancelShipment: async (shipmentId) => void note(orderOfShipment(shipmentId), 'cancelShipment'),
    advanceOrder: async (orderId, to) => (runOf(orderId).orderStatuses.push(to), true),
    markShippedOrderRefunded: async (orderId) => (runOf(orderId).orderStatuses.push('refunded'), true),
    refundPayment: async (orderId) => (note(orderId, 'refundPayment'), 'refunding'),
    restockOrder: async (orderId) => void note(orderId, 'restockOrder'),
  });
}
const orderOfAwb = (awb: string) => [...runs.keys()].find((o) => awb.endsWith(o.slice(0, 8)))!;

const JOURNEY = [...NORMAL_JOURNEY];

// The production defaults (days), whatever the test run's environment says: time skipping passes them.
const defaults = loadConfig({}).shipments;
const timings: ShipmentTimings = {
  pickupSlaSeconds: defaults.pickupSlaSeconds,
  stuckAfterSeconds: defaults.stuckAfterSeconds,
  lostAfterSeconds: defaults.lostAfterSeconds,
  completionWindowSeconds: defaults.completionWindowSeconds,
};
const MINUTE = 60_000;
const ms = (seconds: number) => seconds * 1000;

describe('shipment workflow with mocked activities', () => {
  const temporal = useTimeSkippingWorker(mockActivities);

  async function start() {
    const orderId = randomUUID();
    runs.set(orderId, { calls: [], orderStatuses: [], applied: [] });
    const workflowId = unique('shipment-wf');
    temporal.track(workflowId);
    const handle = await temporal.env().client.workflow.start(shipmentWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
      args: [{ orderId, orderNumber: 'PSR-261125-SHIP0001', userId: randomUUID(), timings }],
    });
    return { handle, orderId, run: runOf(orderId) };
  }
  type Handle = Awaited<ReturnType<typeof start>>['handle'];

  /** Polls the state in real time (the server's clock does not skip meanwhile). */
  const waitFor = (handle: Handle, check: (s: ShipmentState) => boolean, what: string) =>
    eventually(what, async () => {
      const s = await handle.query(shipmentStateQuery);
      return check(s) ? s : undefined;
    });

  const eventsFor = (s: ShipmentState, statuses: TrackingStatus[], from = 1): TrackingSignal[] =>
    statuses.map((status, i) => ({
      event_id: `${s.awb}-${from + i}`,
      awb: s.awb!,
      reference: s.reference!,
      carrier: 'jne',
      status,
      position: from + i,
      occurred_at: new Date(Date.now() + i * 1000).toISOString(),
    }));

  async function send(handle: Handle, events: TrackingSignal[]) {
    for (const e of events) await handle.signal(carrierEventSignal, e);
  }

  it('delivered: the order goes processing → shipped → delivered → completed, each once', async () => {
    const { handle, run } = await start();
    const booked = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    await send(handle, eventsFor(booked, JOURNEY));
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'delivered', outcome: 'completed', booking_attempt: 1 });
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
    expect(run.applied).toEqual(JOURNEY);
    expect(run.calls).not.toContain('refundPayment');
  });

  it('duplicated and shuffled events: each recorded once, the status never goes back', async () => {
    const { handle, run } = await start();
    const booked = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    const events = eventsFor(booked, JOURNEY);
    // out_for_delivery and delivered first, then the rest, every one twice.
    const shuffled = [events[5]!, events[6]!, events[5]!, ...events.slice(0, 5), ...events];
    await send(handle, shuffled);
    const result = await handle.result();
    expect(result.status).toBe('delivered');
    const recorded = run.calls.filter((c) => c.startsWith('record:'));
    expect(recorded).toHaveLength(JOURNEY.length);
    // Whatever came late is kept in the history but moves nothing backwards.
    const statusOrder = run.applied.map((s) => JOURNEY.indexOf(s as TrackingStatus));
    expect(statusOrder).toEqual([...statusOrder].sort((a, b) => a - b));
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
  });

  it('not picked up within the SLA: the first carrier is cancelled and the next one delivers', async () => {
    const { handle, run } = await start();
    const first = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    await send(handle, eventsFor(first, ['order_received']));
    await temporal.env().sleep(ms(timings.pickupSlaSeconds) + MINUTE);
    const second = await waitFor(handle, (s) => s.booking_attempt === 2 && s.status === 'booked', 'rebooked');
    expect(second.carrier).toBe('sicepat');
    // A late scan of the cancelled booking says nothing about the new parcel.
    await send(handle, eventsFor(first, ['order_received', 'packing', 'picked_up'], 2));
    await send(handle, eventsFor(second, JOURNEY));
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'delivered', outcome: 'completed', carrier: 'sicepat' });
    expect(run.calls.slice(0, 3)).toEqual(['createShipment', 'bookCarrier:1', 'record:order_received:applied']);
    expect(run.calls).toContain('cancelBooking:jne');
    expect(run.calls.indexOf('cancelBooking:jne')).toBeLessThan(run.calls.indexOf('bookCarrier:2'));
    expect(run.applied).toEqual(['order_received', ...JOURNEY]);
  });

  it('no carrier picks up: both bookings cancelled, the order refunded and restocked', async () => {
    const { handle, run } = await start();
    const result = await handle.result(); // skips both bookings' SLAs
    expect(result).toMatchObject({ status: 'cancelled', outcome: 'not_picked_up_refunded', booking_attempt: 2 });
    expect(run.calls).toEqual([
      'createShipment',
      'bookCarrier:1',
      'cancelBooking:jne',
      'bookCarrier:2',
      'cancelBooking:sicepat',
      'cancelShipment',
      'refundPayment',
      'restockOrder',
    ]);
    expect(run.orderStatuses).toEqual(['processing', 'refunded']);
  });

  it('silence after pickup: flagged stuck (search attribute), then lost: cancelled and refunded, not restocked', async () => {
    const { handle, run } = await start();
    const booked = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    await send(handle, eventsFor(booked, ['order_received', 'picked_up']));
    await temporal.env().sleep(ms(timings.stuckAfterSeconds) + MINUTE);
    await waitFor(handle, (s) => s.stuck, 'flagged stuck');
    const described = await handle.describe();
    expect(described.searchAttributes.ShipmentStuck).toEqual([true]);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'cancelled', outcome: 'lost_refunded', stuck: false });
    expect(run.calls.slice(-4)).toEqual(['stuck:true', 'cancelShipment', 'stuck:false', 'refundPayment']);
    expect(run.calls).not.toContain('restockOrder');
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'refunded']);
  });

  it('stuck, then the carrier is heard again: the flag is cleared and the parcel delivered', async () => {
    const { handle, run } = await start();
    const booked = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    const events = eventsFor(booked, JOURNEY);
    await send(handle, events.slice(0, 3));
    await temporal.env().sleep(ms(timings.stuckAfterSeconds) + MINUTE);
    await waitFor(handle, (s) => s.stuck, 'flagged stuck');
    await send(handle, events.slice(3));
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'delivered', stuck: false, outcome: 'completed' });
    expect(run.calls.filter((c) => c.startsWith('stuck:'))).toEqual(['stuck:true', 'stuck:false']);
  });

  it('returned to sender: the order is returned, refunded and restocked', async () => {
    const { handle, run } = await start();
    const booked = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    await send(
      handle,
      eventsFor(booked, ['picked_up', 'out_for_delivery', 'delivery_failed', 'out_for_delivery', 'returned_to_sender']),
    );
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'returned', outcome: 'returned_refunded' });
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'returned', 'refunded']);
    expect(run.calls.slice(-2)).toEqual(['refundPayment', 'restockOrder']);
  });

  it('a complaint holds completion until it is released', async () => {
    const { handle, run } = await start();
    const booked = await waitFor(handle, (s) => s.status === 'booked', 'booked');
    await handle.signal(holdCompletionSignal, { hold_id: 'complaint-1', reason: 'item damaged' });
    await send(handle, eventsFor(booked, JOURNEY));
    await waitFor(handle, (s) => s.status === 'delivered', 'delivered');
    await temporal.env().sleep(ms(timings.completionWindowSeconds) + MINUTE);
    await quiescent(handle);
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'delivered']);
    await handle.signal(releaseCompletionSignal, { hold_id: 'complaint-1' });
    expect((await handle.result()).outcome).toBe('completed');
    expect(run.orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
  });

  it("an operator's rebook before pickup moves to the next carrier at once", async () => {
    const { handle, run } = await start();
    await waitFor(handle, (s) => s.status === 'booked', 'booked');
    await handle.signal(rebookSignal, { reason: 'courier van broke down' });
    const second = await waitFor(handle, (s) => s.booking_attempt === 2 && s.status === 'booked', 'rebooked');
    await send(handle, eventsFor(second, JOURNEY));
    expect((await handle.result()).carrier).toBe('sicepat');
    expect(run.calls).toContain('cancelBooking:jne');
  });
});
