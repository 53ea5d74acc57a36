/**
 * The shipment of one paid order (workflow id `shipment-<order id>`), which owns the order from
 * payment to completion. Its phases, in order:
 * - setup: the shipment is created and the order moves paid → processing;
 * - booking: carriers are booked in turn until one picks the parcel up; no pickup within the SLA →
 *   the next carrier (the first is let go), and again → cancel, refund and restock;
 * - in transit: the carrier's events move the shipment and the order (→ shipped → delivered, or
 *   → returned: refund and restock); silence is flagged (ShipmentStuck), and longer is a loss: refund;
 * - completion: after the window, and once no complaint holds it, the order completes.
 * Its owner may ask for the money back until pickup (the cancelOrder update, from the shopper's
 * cancel or an operator's refund; it also starts this workflow if the order.paid consumer has not):
 * the carrier lets the booking go, or refuses because the parcel was picked up; then refund and
 * restock, once. Every refund goes through the refund path's steps (activities/refunds.ts).
 */
import { condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RefundActivities } from '../activities/refunds';
import type { ShipmentActivities } from '../activities/shipment';
import { Saga } from './saga';
import { Journey, SHIPMENT_RETRY } from './shipment-journey';
import {
  cancelOrderUpdate,
  type CancelAnswer,
  isFinal,
  rankOf,
  rebookSignal,
  type ShipmentInput,
  type ShipmentOutcome,
  type ShipmentState,
} from './shipment-contract';

const steps = proxyActivities<ShipmentActivities>({ startToCloseTimeout: '30 seconds', retry: SHIPMENT_RETRY });
// Money and stock go back through the refund path's steps (activities/refunds.ts), never a copy.
const refunds = proxyActivities<RefundActivities>({ startToCloseTimeout: '30 seconds', retry: SHIPMENT_RETRY });

/** Automatic bookings before giving up on pickup; an operator's rebook may use the last carrier too. */
const AUTOMATIC_BOOKINGS = 2;

export async function shipmentWorkflow(input: ShipmentInput): Promise<ShipmentState> {
  const shipment = new Shipment(input);
  const ended = (await shipment.setup()) ?? (await shipment.booking()) ?? (await shipment.inTransit());
  return ended ?? shipment.completion();
}

class Shipment {
  private readonly journey: Journey;
  private readonly state: ShipmentState;
  private readonly workflowId = workflowInfo().workflowId;
  private rebookRequest: string | undefined;
  // The owner's cancel (the shopper's, or an operator's refund), asked for and not yet answered;
  // its answer, once given, is state.cancel_answer: what every repeat gets. `reasonId`: the order
  // service's record of an operator's reason (its text never enters this history).
  private cancelRequest: { reason: string; reasonId?: string } | undefined;

  constructor(private readonly input: ShipmentInput) {
    this.journey = new Journey(input);
    this.state = this.journey.state;
    setHandler(rebookSignal, ({ reason }) => {
      if (rankOf(this.state.status) < rankOf('picked_up')) this.rebookRequest ??= reason;
    });
    setHandler(cancelOrderUpdate, async ({ reason, reason_id }): Promise<CancelAnswer> => {
      if (this.state.cancel_answer) return this.state.cancel_answer;
      if (this.state.status === 'cancelled') return { accepted: false, reason: 'already_cancelled' };
      if (this.journey.pickedUp()) return { accepted: false, reason: 'already_picked_up' };
      this.cancelRequest ??= { reason, ...(reason_id ? { reasonId: reason_id } : {}) };
      // The booking phase answers (it owns the carrier call); a pickup applied meanwhile answers too.
      await condition(() => this.state.cancel_answer !== undefined || this.journey.pickedUp());
      return this.state.cancel_answer ?? { accepted: false, reason: 'already_picked_up' };
    });
    this.journey.announce();
  }

  /** The shipment is created; the order moves to processing unless its owner already cancelled. */
  async setup(): Promise<ShipmentState | undefined> {
    const { shipment_id } = await this.journey.steps.createShipment({
      orderId: this.input.orderId,
      orderNumber: this.input.orderNumber,
      userId: this.input.userId,
      workflowId: this.workflowId,
    });
    this.state.shipment_id = shipment_id;
    // Cancelled before the shipment began (the cancel started this workflow): the order stays out of processing.
    if (this.cancelRequest !== undefined) return this.withdrawn();
    await this.journey.steps.advanceOrder(this.input.orderId, 'processing', shipment_id);
    return undefined;
  }

  /** Booking, until a carrier picks the parcel up (undefined) or the shipment ends without one. */
  async booking(): Promise<ShipmentState | undefined> {
    for (;;) {
      if (this.cancelRequest !== undefined) return this.withdrawn();
      const attempt = this.state.booking_attempt + 1;
      // A booking and its undo: a carrier that never picked the parcel up is let go.
      const booking = new Saga();
      const booked = await booking
        .step(
          'bookCarrier',
          () => steps.bookCarrier({ orderId: this.input.orderId, shipmentId: this.journey.shipmentId, attempt }),
          async (b) => b && steps.cancelBooking(b.carrier, b.awb),
        )
        .catch((err) => void log.warn('booking failed', { attempt, error: String(err) }));
      this.state.booking_attempt = attempt;
      if (booked) {
        this.journey.booked(booked);
        const held = await this.holdBooking(booked.awb);
        // Picked up: the booking stands. Withdrawn: the carrier already let it go at the owner's cancel.
        if (held !== 'let_go') booking.commit();
        if (held === 'picked_up') return undefined;
        if (held === 'withdrawn') return this.withdrawn();
        // Not picked up in time, or an operator asked: the parcel stays home; let this carrier go.
        await booking.compensate();
      }
      const operatorAsked = this.rebookRequest !== undefined;
      this.rebookRequest = undefined;
      if (attempt >= AUTOMATIC_BOOKINGS + (operatorAsked ? 1 : 0)) {
        // The parcel never left the warehouse: money back and stock back on the shelf.
        await this.journey.steps.cancelShipment(this.journey.shipmentId, 'not picked up');
        this.journey.setStatus('cancelled');
        return this.refund('not_picked_up_refunded', 'no carrier picked the parcel up', true);
      }
    }
  }

  /**
   * Holds a booking until pickup, an SLA miss or an operator's rebook ('let_go'), or the owner's
   * cancel: the carrier lets the booking go ('withdrawn'), or refuses as it picked the parcel up
   * ('picked_up' too: its scan is on the way).
   */
  private async holdBooking(awb: string): Promise<'picked_up' | 'let_go' | 'withdrawn'> {
    const woke = await this.journey.waitFor(
      () => this.journey.pickedUp() || this.rebookRequest !== undefined || this.cancelRequest !== undefined,
      this.input.timings.pickupSlaSeconds,
    );
    if (woke && this.journey.pickedUp()) return 'picked_up';
    if (!woke || this.cancelRequest === undefined) return 'let_go';
    if ((await steps.withdrawBooking(awb)) === 'cancelled') return 'withdrawn';
    this.state.cancel_answer = { accepted: false, reason: 'already_picked_up' };
    this.cancelRequest = undefined;
    // The carrier has the parcel though its scan may lag (a link behind): no SLA rebook of a
    // parcel already on its way; the in-transit watch (stuck, then lost) takes over.
    return 'picked_up';
  }

  /** In transit, until delivered (undefined) or the shipment ends returned or lost. */
  async inTransit(): Promise<ShipmentState | undefined> {
    const t = this.input.timings;
    while (!isFinal(this.state.status)) {
      const before = this.journey.heard;
      const news = () => this.journey.heard > before || isFinal(this.state.status);
      if (await this.journey.waitFor(news, t.stuckAfterSeconds)) {
        if (this.state.stuck) await this.journey.flagStuck(false);
        continue;
      }
      await this.journey.flagStuck(true);
      if (await this.journey.waitFor(news, Math.max(t.lostAfterSeconds - t.stuckAfterSeconds, 0))) {
        await this.journey.flagStuck(false);
        continue;
      }
      await this.journey.steps.cancelShipment(this.journey.shipmentId, 'lost in transit');
      await this.journey.flagStuck(false);
      this.journey.setStatus('cancelled');
      return this.refund('lost_refunded', 'the parcel was lost in transit', false);
    }
    if (this.state.status === 'returned')
      return this.refund('returned_refunded', 'the parcel was returned to the sender', true);
    return undefined;
  }

  /** Delivered: the order completes after the window, unless a complaint holds it. */
  async completion(): Promise<ShipmentState> {
    await this.journey.waitFor(() => false, this.input.timings.completionWindowSeconds);
    await condition(() => this.state.completion_holds.length === 0);
    await this.journey.steps.advanceOrder(this.input.orderId, 'completed', this.journey.shipmentId);
    this.state.outcome = 'completed';
    return this.state;
  }

  /** The owner's cancel won: nothing left the warehouse, so the money and the stock go back. */
  private async withdrawn() {
    this.state.cancel_answer = { accepted: true };
    await this.journey.steps.cancelShipment(this.journey.shipmentId, 'cancelled by the shopper');
    this.journey.setStatus('cancelled');
    const { reason, reasonId } = this.cancelRequest ?? { reason: 'cancelled by the shopper' };
    return this.refund('cancelled_refunded', reason, true, reasonId);
  }

  /**
   * The refund path: the payment back once, the stock back when the goods are, the order refunded.
   * `reasonId` (an operator's refund) is passed on only when given, so other refunds schedule the
   * steps with the arguments they always had; the steps read the operator's text by id.
   */
  private async refund(outcome: ShipmentOutcome, reason: string, restock: boolean, reasonId?: string) {
    // A cancel that came while the shipment failed anyway: its owner gets the refund they asked for.
    if (this.cancelRequest !== undefined) this.state.cancel_answer ??= { accepted: true };
    const byId: [] | [string] = reasonId === undefined ? [] : [reasonId];
    await refunds.refundPayment(this.input.orderId, reason, `${this.workflowId}:refund`, ...byId);
    if (restock) await refunds.restockOrder(this.input.orderId);
    await refunds.markShippedOrderRefunded(this.input.orderId, reason, ...byId);
    this.state.outcome = outcome;
    return this.state;
  }
}
