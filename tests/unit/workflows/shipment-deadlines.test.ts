/**
 * The shipment workflow's deadlines at their real production defaults (platform/config.ts: pickup
 * SLA 2 d, stuck after 3 d, lost after 14 d, completion window 3 d) on Temporal's time-skipping
 * server, with mocked activities. Each deadline is checked from both sides: a minute before it
 * nothing has fired, a minute after it has.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { ShipmentActivities } from '../../../activities/shipment';
import type { RefundActivities } from '../../../activities/refunds';
import { loadConfig } from '../../../platform/config';
import type { TrackingStatus } from '../../../contracts/carrier';
import { shipmentWorkflow } from '../../../workflows/shipment';
import {
  carrierEventSignal,
  holdCompletionSignal,
  releaseCompletionSignal,
  shipmentStateQuery,
  type ShipmentState,
  type ShipmentTimings,
  type TrackingSignal,
} from '../../../workflows/shipment-contract';
import { delegateTo, eventually, quiescent, useTimeSkippingWorker } from '../../support/time-skipping';
import { withBatchedTracking } from '../../support/shipment-activities';

// The production defaults, whatever the test run's environment overrides for the e2e suites.
const defaults = loadConfig({}).shipments;
const timings: ShipmentTimings = {
  pickupSlaSeconds: defaults.pickupSlaSeconds,
  stuckAfterSeconds: defaults.stuckAfterSeconds,
  lostAfterSeconds: defaults.lostAfterSeconds,
  completionWindowSeconds: defaults.completionWindowSeconds,
};
const MINUTE = 60_000;
const ms = (seconds: number) => seconds * 1000;

const JOURNEY_TO_PICKUP: TrackingStatus[] = ['order_received', 'packing', 'picked_up'];
const JOURNEY_AFTER_PICKUP: TrackingStatus[] = [
  'arrived_facility',
  'departed_facility',
  'out_for_delivery',
  'delivered',
];

/** Mocked activities that record what the workflow asked for, in order. */
function recordingActivities() {
  const calls: string[] = [];
  const orderStatuses: string[] = [];
  const activities: Partial<ShipmentActivities & RefundActivities> = withBatchedTracking({
    createShipment: async () => (calls.push('createShipment'), { shipment_id: randomUUID() }),
    bookCarrier: async ({ shipmentId, attempt }) => {
      calls.push(`bookCarrier:${attempt}`);
      const carrier = (['jne', 'sicepat', 'jnt'] as const)[attempt - 1]!;
      const reference = attempt === 1 ? shipmentId : `${shipmentId}.${attempt}`;
      return { carrier, service: 'REG' as const, awb: `AWB-${attempt}-${shipmentId.slice(0, 8)}`, reference };
    },
    cancelBooking: async (carrier) => (calls.push(`cancelBooking:${carrier}`), 'cancelled'),
    recordTrackingEvent: async (_shipmentId, event, apply) => (calls.push(`record:${event.status}`), { moved: apply }),
    flagShipmentStuck: async (_shipmentId, stuck) => void calls.push(`stuck:${stuck}`),
    cancelShipment: async (_shipmentId, reason) => void calls.push(`cancelShipment:${reason}`),
    advanceOrder: async (_orderId, to) => (orderStatuses.push(to), true),
    markShippedOrderRefunded: async () => (orderStatuses.push('refunded'), true),
    refundPayment: async () => (calls.push('refundPayment'), 'refunding'),
    restockOrder: async () => void calls.push('restockOrder'),
  });
  return { calls, orderStatuses, activities };
}

type Handle = WorkflowHandle<typeof shipmentWorkflow>;

describe('shipment deadlines at production durations (time skipping)', () => {
  // One server and one worker for the file; each test's activities record into its own lists.
  let recorder = recordingActivities();
  beforeEach(() => {
    recorder = recordingActivities();
  });
  const temporal = useTimeSkippingWorker(() => delegateTo(() => recorder.activities));
  const env = () => temporal.env();

  async function start() {
    // A shipment a failed test leaves running is terminated after it (its timers would fire into
    // the next test's skipped time).
    const workflowId = `shipment-${randomUUID()}`;
    temporal.track(workflowId);
    return env().client.workflow.start(shipmentWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
      args: [{ orderId: randomUUID(), orderNumber: 'PSR-261125-TIME0001', userId: randomUUID(), timings }],
    });
  }

  /** Polls the workflow's state (in real time: the server's clock does not skip meanwhile). */
  const until = (handle: Handle, check: (s: ShipmentState) => boolean, what: string) =>
    eventually(what, async () => {
      const state = await handle.query(shipmentStateQuery);
      return check(state) ? state : undefined;
    });

  /** The state once the workflow has acted on whatever the skipped time fired. */
  async function settled(handle: Handle) {
    await quiescent(handle);
    return handle.query(shipmentStateQuery);
  }

  let nextPosition = 1;
  async function send(handle: Handle, s: ShipmentState, statuses: TrackingStatus[]) {
    for (const status of statuses) {
      const position = nextPosition++;
      const event: TrackingSignal = {
        event_id: `${s.awb}-${position}`,
        awb: s.awb!,
        reference: s.reference!,
        carrier: 'jne',
        status,
        position,
        occurred_at: new Date().toISOString(),
      };
      await handle.signal(carrierEventSignal, event);
    }
  }

  it('not picked up within the 2-day SLA: rebooked with the next carrier, not a minute before', async () => {
    const { calls, orderStatuses } = recorder;
    const handle = await start();
    const first = await until(handle, (s) => s.status === 'booked', 'booked');
    nextPosition = 1;
    await send(handle, first, ['order_received']);

    await env().sleep(ms(timings.pickupSlaSeconds) - MINUTE);
    expect(await settled(handle)).toMatchObject({ booking_attempt: 1, carrier: 'jne', status: 'booked' });
    expect(calls).not.toContain('cancelBooking:jne');

    await env().sleep(2 * MINUTE);
    const second = await until(handle, (s) => s.booking_attempt === 2 && s.status === 'booked', 'rebooked');
    expect(second.carrier).toBe('sicepat');
    expect(calls.indexOf('cancelBooking:jne')).toBeLessThan(calls.indexOf('bookCarrier:2'));

    nextPosition = 1;
    await send(handle, second, [...JOURNEY_TO_PICKUP, ...JOURNEY_AFTER_PICKUP]);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'completed', carrier: 'sicepat', booking_attempt: 2 });
    expect(orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
    expect(calls).not.toContain('refundPayment');
  });

  it('a second SLA miss: the shipment is cancelled, the order refunded and restocked', async () => {
    const { calls, orderStatuses } = recorder;
    const handle = await start();
    await until(handle, (s) => s.status === 'booked', 'booked');
    await env().sleep(ms(timings.pickupSlaSeconds) + MINUTE);
    await until(handle, (s) => s.booking_attempt === 2 && s.status === 'booked', 'rebooked');

    // The second booking's SLA runs from its own booking, about one SLA after the first.
    await env().sleep(ms(timings.pickupSlaSeconds) - 2 * MINUTE);
    expect(await settled(handle)).toMatchObject({ booking_attempt: 2, status: 'booked' });
    expect(calls).not.toContain('refundPayment');

    await env().sleep(2 * MINUTE);
    // Settled by now, without help: handle.result() would skip on to a later deadline by itself.
    await until(handle, (s) => s.outcome !== undefined, 'given up');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'cancelled', outcome: 'not_picked_up_refunded', booking_attempt: 2 });
    expect(calls).toEqual([
      'createShipment',
      'bookCarrier:1',
      'cancelBooking:jne',
      'bookCarrier:2',
      'cancelBooking:sicepat',
      'cancelShipment:not picked up',
      'refundPayment',
      'restockOrder',
    ]);
    expect(orderStatuses).toEqual(['processing', 'refunded']);
  });

  it('silent after pickup: flagged stuck at 3 days, lost and refunded (no restock) at 14', async () => {
    const { calls, orderStatuses } = recorder;
    const handle = await start();
    const booked = await until(handle, (s) => s.status === 'booked', 'booked');
    nextPosition = 1;
    await send(handle, booked, JOURNEY_TO_PICKUP);
    await until(handle, (s) => s.status === 'picked_up', 'picked up');

    await env().sleep(ms(timings.stuckAfterSeconds) - MINUTE);
    expect(await settled(handle)).toMatchObject({ stuck: false, status: 'picked_up' });
    expect(calls).not.toContain('stuck:true');

    await env().sleep(2 * MINUTE);
    await until(handle, (s) => s.stuck, 'flagged stuck');
    expect(calls).toContain('stuck:true');

    // Lost counts from the last event too: 14 days after pickup, not 14 days after the flag.
    await env().sleep(ms(timings.lostAfterSeconds - timings.stuckAfterSeconds) - 2 * MINUTE);
    expect(await settled(handle)).toMatchObject({ stuck: true, status: 'picked_up' });
    expect(calls).not.toContain('refundPayment');

    await env().sleep(2 * MINUTE);
    await until(handle, (s) => s.outcome !== undefined, 'given up as lost');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'cancelled', outcome: 'lost_refunded', stuck: false });
    expect(calls.slice(-4)).toEqual(['stuck:true', 'cancelShipment:lost in transit', 'stuck:false', 'refundPayment']);
    expect(calls).not.toContain('restockOrder');
    expect(orderStatuses).toEqual(['processing', 'shipped', 'refunded']);
  });

  it('flagged stuck, then heard from again: unflagged, and the journey goes on to completion', async () => {
    const { calls, orderStatuses } = recorder;
    const handle = await start();
    const booked = await until(handle, (s) => s.status === 'booked', 'booked');
    nextPosition = 1;
    await send(handle, booked, JOURNEY_TO_PICKUP);
    await until(handle, (s) => s.status === 'picked_up', 'picked up');
    await env().sleep(ms(timings.stuckAfterSeconds) + MINUTE);
    await until(handle, (s) => s.stuck, 'flagged stuck');

    await send(handle, booked, JOURNEY_AFTER_PICKUP);
    await until(handle, (s) => s.status === 'delivered' && !s.stuck, 'delivered and unflagged');
    const result = await handle.result();
    expect(result.outcome).toBe('completed');
    expect(calls.filter((c) => c.startsWith('stuck:'))).toEqual(['stuck:true', 'stuck:false']);
    expect(orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
  });

  it('delivered: the order completes once the 3-day window has passed, not a minute before', async () => {
    const { orderStatuses } = recorder;
    const handle = await start();
    const booked = await until(handle, (s) => s.status === 'booked', 'booked');
    nextPosition = 1;
    await send(handle, booked, [...JOURNEY_TO_PICKUP, ...JOURNEY_AFTER_PICKUP]);
    await until(handle, (s) => s.status === 'delivered', 'delivered');

    await env().sleep(ms(timings.completionWindowSeconds) - MINUTE);
    expect((await settled(handle)).outcome).toBeUndefined();
    expect(orderStatuses).toEqual(['processing', 'shipped', 'delivered']);

    await env().sleep(2 * MINUTE);
    await until(handle, (s) => s.outcome === 'completed', 'completed');
    expect(orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
    expect((await handle.result()).outcome).toBe('completed');
  });

  it('held by a complaint: not completed past the window until the hold is released', async () => {
    const { orderStatuses } = recorder;
    const handle = await start();
    const booked = await until(handle, (s) => s.status === 'booked', 'booked');
    nextPosition = 1;
    await send(handle, booked, [...JOURNEY_TO_PICKUP, ...JOURNEY_AFTER_PICKUP]);
    await until(handle, (s) => s.status === 'delivered', 'delivered');
    await handle.signal(holdCompletionSignal, { hold_id: 'complaint-1', reason: 'damaged' });

    // Well past the window (and past any complaint deadline): still held.
    await env().sleep(ms(timings.completionWindowSeconds) + 10 * 86_400_000);
    const held = await settled(handle);
    expect(held).toMatchObject({ status: 'delivered', completion_holds: ['complaint-1'] });
    expect(held.outcome).toBeUndefined();
    expect(orderStatuses).not.toContain('completed');

    await handle.signal(releaseCompletionSignal, { hold_id: 'complaint-1' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'completed', completion_holds: [] });
    expect(orderStatuses).toEqual(['processing', 'shipped', 'delivered', 'completed']);
  });
});
