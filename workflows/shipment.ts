/**
 * The shipment of one paid order (workflow id `shipment-<order id>`): create the shipment → book
 * the first carrier for the order's service (order paid → processing) → take the carrier's tracking
 * events as signals, deduped by event id and applied only when further along the journey (order →
 * shipped → delivered, or → returned) → after delivery, complete the order once the window passes
 * and no complaint holds it. Deadlines are durable timers: no pickup within the SLA → rebook with
 * the next carrier (the first is cancelled), and again → cancel, refund and restock; no event for
 * too long → flagged (ShipmentStuck) for operators, and longer → lost: cancel and refund; returned
 * to sender → refund and restock. Its owner may cancel it until pickup (the cancelOrder update,
 * which also starts this workflow if the order.paid consumer has not yet): the carrier lets the
 * booking go, or refuses because the parcel was picked up; then refund and restock, once.
 */
import {
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RefundActivities } from '../activities/refunds';
import type { ShipmentActivities } from '../activities/shipment';
import { ORDER_NUMBER, USER_ID, AIRWAY_BILL, SHIPMENT_STATUS, SHIPMENT_STUCK } from './search-attributes';
import {
  cancelOrderUpdate,
  type CancelAnswer,
  carrierEventSignal,
  holdCompletionSignal,
  isFinal,
  moves,
  rankOf,
  rebookSignal,
  releaseCompletionSignal,
  SHIPMENT_STATUS_OF,
  shipmentStateQuery,
  type ShipmentInput,
  type ShipmentOutcome,
  type ShipmentState,
  type ShipmentStatus,
  type TrackingSignal,
} from './shipment-contract';

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 50,
} as const;
const steps = proxyActivities<ShipmentActivities>({ startToCloseTimeout: '30 seconds', retry });
// Money and stock go back through the refund path's steps (activities/refunds.ts), never a copy.
const refunds = proxyActivities<RefundActivities>({ startToCloseTimeout: '30 seconds', retry });

/** Automatic bookings before giving up on pickup; an operator's rebook may use the last carrier too. */
const AUTOMATIC_BOOKINGS = 2;

export async function shipmentWorkflow(input: ShipmentInput): Promise<ShipmentState> {
  const { workflowId } = workflowInfo();
  const t = input.timings;
  const state: ShipmentState = {
    order_id: input.orderId,
    order_number: input.orderNumber,
    status: 'pending',
    booking_attempt: 0,
    last_position: 0,
    stuck: false,
    completion_holds: [],
  };
  const seen = new Set<string>();
  const inbox: TrackingSignal[] = [];
  let heard = 0;
  let rebookRequest: string | undefined;
  // The owner's cancel (the shopper's, or an operator's refund), asked for and not yet answered;
  // its answer, once given, is state.cancel_answer: what every repeat gets.
  let cancelRequest: string | undefined;
  const pickedUp = () => rankOf(state.status) >= rankOf('picked_up');

  setHandler(shipmentStateQuery, () => state);
  setHandler(carrierEventSignal, (event) => {
    if (seen.has(event.event_id)) return; // a redelivered push: applied (or queued) already
    seen.add(event.event_id);
    inbox.push(event);
  });
  setHandler(holdCompletionSignal, ({ hold_id }) => {
    if (!state.completion_holds.includes(hold_id)) state.completion_holds.push(hold_id);
  });
  setHandler(releaseCompletionSignal, ({ hold_id }) => {
    state.completion_holds = state.completion_holds.filter((h) => h !== hold_id);
  });
  setHandler(rebookSignal, ({ reason }) => {
    if (rankOf(state.status) < rankOf('picked_up')) rebookRequest ??= reason;
  });
  setHandler(cancelOrderUpdate, async ({ reason }): Promise<CancelAnswer> => {
    if (state.cancel_answer) return state.cancel_answer;
    if (state.status === 'cancelled') return { accepted: false, reason: 'already_cancelled' };
    if (pickedUp()) return { accepted: false, reason: 'already_picked_up' };
    cancelRequest ??= reason;
    // The main flow answers (it owns the carrier call); a pickup applied meanwhile answers too.
    await condition(() => state.cancel_answer !== undefined || pickedUp());
    return state.cancel_answer ?? { accepted: false, reason: 'already_picked_up' };
  });

  upsertSearchAttributes([
    { key: ORDER_NUMBER, value: input.orderNumber },
    { key: USER_ID, value: input.userId },
    { key: SHIPMENT_STUCK, value: false },
  ]);
  const setStatus = (status: ShipmentStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: SHIPMENT_STATUS, value: status }]);
  };
  setStatus('pending');

  /** Applies queued events of the current booking, in journey order; each is recorded once. */
  async function drain() {
    while (state.reference && inbox.length > 0) {
      inbox.sort((a, b) => a.position - b.position);
      const event = inbox.shift()!;
      // An event of a cancelled booking (the first carrier, after a rebook) tells nothing about this parcel.
      if (event.reference !== state.reference && event.awb !== state.awb) continue;
      heard++;
      const apply = moves(state.status, state.last_position, event);
      await steps.recordTrackingEvent(state.shipment_id!, event, apply);
      if (!apply) continue;
      state.last_position = event.position;
      await followOrder(SHIPMENT_STATUS_OF[event.status]);
      setStatus(SHIPMENT_STATUS_OF[event.status]);
    }
  }

  /** Moves the order along with the shipment, never skipping a step (a lost scan is filled in). */
  async function followOrder(next: ShipmentStatus) {
    const id = state.shipment_id!;
    if (rankOf(next) >= rankOf('picked_up') && rankOf(state.status) < rankOf('picked_up')) {
      await steps.advanceOrder(input.orderId, 'shipped', id);
    }
    if (next === 'delivered') await steps.advanceOrder(input.orderId, 'delivered', id);
    if (next === 'returned') await steps.advanceOrder(input.orderId, 'returned', id);
  }

  /** Waits for `done` up to `seconds`, applying events as they come; false when the time ran out. */
  async function waitFor(done: () => boolean, seconds: number) {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      await drain();
      if (done()) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const woke = await condition(() => inbox.length > 0 || done(), left);
      if (!woke) return done();
    }
  }

  async function refund(outcome: ShipmentOutcome, reason: string, restock: boolean) {
    // A cancel that came while the shipment failed anyway: the shopper gets the refund they asked for.
    if (cancelRequest !== undefined) state.cancel_answer ??= { accepted: true };
    await refunds.refundPayment(input.orderId, reason, `${workflowId}:refund`);
    if (restock) await refunds.restockOrder(input.orderId);
    await refunds.markShippedOrderRefunded(input.orderId, reason);
    state.outcome = outcome;
    return state;
  }

  const { shipment_id } = await steps.createShipment({
    orderId: input.orderId,
    orderNumber: input.orderNumber,
    userId: input.userId,
    workflowId,
  });
  state.shipment_id = shipment_id;
  /** The shopper's cancel won: nothing left the warehouse, so the money and the stock go back. */
  async function withdrawnByShopper() {
    state.cancel_answer = { accepted: true };
    await steps.cancelShipment(shipment_id, 'cancelled by the shopper');
    setStatus('cancelled');
    return refund('cancelled_refunded', cancelRequest ?? 'cancelled by the shopper', true);
  }
  // Cancelled before the shipment began (the cancel started this workflow): the order stays out of processing.
  if (cancelRequest !== undefined) return withdrawnByShopper();
  await steps.advanceOrder(input.orderId, 'processing', shipment_id);

  async function flag(stuck: boolean) {
    state.stuck = stuck;
    upsertSearchAttributes([{ key: SHIPMENT_STUCK, value: stuck }]);
    await steps.flagShipmentStuck(shipment_id, stuck, new Date(Date.now()).toISOString());
  }

  /**
   * Holds a booking until pickup, an SLA miss or an operator's rebook ('let_go'), or the shopper's
   * cancel: the carrier lets the booking go ('withdrawn'), or refuses as it picked the parcel up
   * ('picked_up' too: its scan is on the way).
   */
  async function holdBooking(awb: string): Promise<'picked_up' | 'let_go' | 'withdrawn'> {
    const woke = await waitFor(
      () => pickedUp() || rebookRequest !== undefined || cancelRequest !== undefined,
      t.pickupSlaSeconds,
    );
    if (woke && pickedUp()) return 'picked_up';
    if (!woke || cancelRequest === undefined) return 'let_go';
    if ((await steps.withdrawBooking(awb)) === 'cancelled') return 'withdrawn';
    state.cancel_answer = { accepted: false, reason: 'already_picked_up' };
    cancelRequest = undefined;
    // The carrier has the parcel though its scan may lag (a link behind): no SLA rebook of a
    // parcel already on its way; the in-transit watch (stuck, then lost) takes over.
    return 'picked_up';
  }

  // Booking, until a carrier picks the parcel up.
  for (;;) {
    if (cancelRequest !== undefined) return withdrawnByShopper();
    const attempt = state.booking_attempt + 1;
    let booked;
    try {
      booked = await steps.bookCarrier({ orderId: input.orderId, shipmentId: shipment_id, attempt });
    } catch (err) {
      log.warn('booking failed', { attempt, error: String(err) });
    }
    state.booking_attempt = attempt;
    if (booked) {
      Object.assign(state, { carrier: booked.carrier, awb: booked.awb, reference: booked.reference, last_position: 0 });
      upsertSearchAttributes([{ key: AIRWAY_BILL, value: booked.awb }]);
      setStatus('booked');
      const held = await holdBooking(booked.awb);
      if (held === 'picked_up') break;
      if (held === 'withdrawn') return withdrawnByShopper();
      // Not picked up in time, or an operator asked: the parcel stays home; let this carrier go.
      await steps.cancelBooking(booked.carrier, booked.awb);
    }
    const operatorAsked = rebookRequest !== undefined;
    rebookRequest = undefined;
    if (attempt >= AUTOMATIC_BOOKINGS + (operatorAsked ? 1 : 0)) {
      // The parcel never left the warehouse: money back and stock back on the shelf.
      await steps.cancelShipment(shipment_id, 'not picked up');
      setStatus('cancelled');
      return refund('not_picked_up_refunded', 'no carrier picked the parcel up', true);
    }
  }

  // In transit, until delivered or returned; silence is flagged, then taken as a loss.
  while (!isFinal(state.status)) {
    const before = heard;
    const news = () => heard > before || isFinal(state.status);
    if (await waitFor(news, t.stuckAfterSeconds)) {
      if (state.stuck) await flag(false);
      continue;
    }
    await flag(true);
    if (await waitFor(news, Math.max(t.lostAfterSeconds - t.stuckAfterSeconds, 0))) {
      await flag(false);
      continue;
    }
    await steps.cancelShipment(shipment_id, 'lost in transit');
    await flag(false);
    setStatus('cancelled');
    return refund('lost_refunded', 'the parcel was lost in transit', false);
  }

  if (state.status === 'returned') return refund('returned_refunded', 'the parcel was returned to the sender', true);

  // Delivered: the order completes after the window, unless a complaint holds it.
  await waitFor(() => false, t.completionWindowSeconds);
  await condition(() => state.completion_holds.length === 0);
  await steps.advanceOrder(input.orderId, 'completed', shipment_id);
  state.outcome = 'completed';
  return state;
}
