/**
 * What the outside world needs to talk to a shipment workflow: its id, input, signals, query and
 * the tracking rules it applies. Kept apart from the workflow body so the API and the tracking
 * intake import no workflow code; pure (no I/O), so the workflow bundle can import the rules.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CarrierEvent, TrackingStatus } from '../contracts/carrier';
import type { ShipmentStatus } from '../contracts/states';

export type { ShipmentStatus } from '../contracts/states';

export interface ShipmentTimings {
  /** Booked but not picked up within this: rebook with the next carrier, then give up. */
  pickupSlaSeconds: number;
  /** No tracking event for this long after pickup: flagged for operators (ShipmentStuck). */
  stuckAfterSeconds: number;
  /** No tracking event for this long after pickup: the parcel is lost, the order refunded. */
  lostAfterSeconds: number;
  /** Delivered orders complete after this, unless a complaint holds them. */
  completionWindowSeconds: number;
}

export interface ShipmentInput {
  orderId: string;
  orderNumber: string;
  userId: string;
  timings: ShipmentTimings;
}

/** How the shipment ended: the order's fate follows from it. */
export type ShipmentOutcome =
  'completed' | 'returned_refunded' | 'not_picked_up_refunded' | 'lost_refunded' | 'cancelled_refunded';

export interface ShipmentState {
  order_id: string;
  order_number: string;
  shipment_id?: string;
  status: ShipmentStatus;
  carrier?: string;
  awb?: string;
  reference?: string;
  booking_attempt: number;
  last_position: number;
  stuck: boolean;
  completion_holds: string[];
  outcome?: ShipmentOutcome;
  /** The verdict on the order's cancel or refund, once given: what every repeat is answered. */
  cancel_answer?: CancelAnswer;
}

/** A carrier event as the workflow takes it (the intake passes the verified event on). */
export type TrackingSignal = Pick<
  CarrierEvent,
  | 'event_id'
  | 'awb'
  | 'reference'
  | 'carrier'
  | 'status'
  | 'position'
  | 'occurred_at'
  | 'location'
  | 'description'
  /** The delivered scan of a cash-on-delivery parcel: the cash the courier took. */
  | 'cod_collected'
>;

export const carrierEventSignal = defineSignal<[TrackingSignal]>('carrierEvent');
/** A complaint keeps a delivered order from completing until it is released (the complaints issue). */
export const holdCompletionSignal = defineSignal<[{ hold_id: string; reason?: string }]>('holdCompletion');
export const releaseCompletionSignal = defineSignal<[{ hold_id: string }]>('releaseCompletion');
/**
 * An operator asks for another carrier now (only before pickup: a picked-up parcel cannot move).
 * `reason` is the fixed REBOOK_REASON and `rebook_id` names the operator's rebook, whose own
 * reason (free text) the shipment store keeps; histories recorded before carry that text as
 * `reason`. The workflow decides nothing on either.
 */
export const rebookSignal = defineSignal<[{ reason: string; rebook_id?: string }]>('rebook');
export const REBOOK_REASON = 'rebook asked by an operator';
export const shipmentStateQuery = defineQuery<ShipmentState>('shipmentState');

/**
 * The shipment's answer to its owner's cancel: accepted once the carrier let the booking go (or
 * none was made yet; the refund and restock follow), refused once the parcel left the warehouse.
 * `already_refunded`: the money went back by another way (a complaint), never by this shipment.
 */
export type CancelAnswer =
  { accepted: true } | { accepted: false; reason: 'already_picked_up' | 'already_cancelled' | 'already_refunded' };

/**
 * Who asks for the money back of a paid order before the courier has it; `gateway`: the payment
 * was reversed after settlement (services/payments/reversal.ts), the parcel is withdrawn and the
 * refund step finds nothing to give back.
 */
export type CancelRequester = 'shopper' | 'operator' | 'gateway';

/**
 * The shopper cancels, or an operator refunds, a paid order nobody picked up: the shipment, which
 * owns the order until delivery, withdraws the booking first, then refunds and restocks, or refuses
 * once the parcel left. An Update, so the caller gets the verdict; sent with CANCEL_UPDATE_ID, so
 * Temporal folds every repeat, whoever sends it, into the first (one refund).
 */
export const cancelOrderUpdate =
  defineUpdate<CancelAnswer, [{ reason: string; by?: CancelRequester; reason_id?: string }]>('cancelOrder');

/**
 * A cancel's `reason`: a fixed label by requester, never free text. An operator's own reason (people
 * write the shopper's bank account in it) is kept by the order service and travels as `reason_id`;
 * the refund steps read it back by id. Histories recorded before carry the operator's text as
 * `reason`, which is taken as it was.
 */
export const CANCEL_REASON: Record<CancelRequester, string> = {
  shopper: 'cancelled by the shopper before pickup',
  operator: 'refunded by an operator',
  gateway: 'withdrawn: payment reversed by the gateway',
};
/** One cancel per shipment: the server answers a repeated id with the first one's result. */
export const CANCEL_UPDATE_ID = 'shopper-cancel';

/** One shipment per order, from the business key: a second start for the same order is refused. */
export const shipmentWorkflowId = (orderId: string) => `shipment-${orderId}`;

/** Where a carrier's tracking status leaves the shipment. */
export const SHIPMENT_STATUS_OF: Record<TrackingStatus, ShipmentStatus> = {
  order_received: 'booked',
  packing: 'booked',
  picked_up: 'picked_up',
  arrived_facility: 'in_transit',
  departed_facility: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  delivery_failed: 'out_for_delivery',
  delivered: 'delivered',
  returned_to_sender: 'returned',
};

const RANK: Record<ShipmentStatus, number> = {
  pending: 0,
  booked: 1,
  picked_up: 2,
  in_transit: 3,
  out_for_delivery: 4,
  delivered: 5,
  returned: 5,
  cancelled: 6,
};

export const rankOf = (status: ShipmentStatus) => RANK[status];
export const isFinal = (status: ShipmentStatus) => RANK[status] >= RANK.delivered;

/**
 * Whether an event moves a shipment that is at `current`, having applied up to `lastPosition`:
 * only a later place in the journey, never a step back, never out of a final status.
 */
export function moves(
  current: ShipmentStatus,
  lastPosition: number,
  event: Pick<TrackingSignal, 'status' | 'position'>,
) {
  if (isFinal(current) || event.position <= lastPosition) return false;
  return rankOf(SHIPMENT_STATUS_OF[event.status]) >= rankOf(current);
}

/**
 * The carriers tried in turn for a shopper's shipping service: the first books, an SLA miss or an
 * operator's rebook moves to the next.
 */
export const CARRIER_CHOICES = {
  regular: [
    { carrier: 'jne', service: 'REG' },
    { carrier: 'sicepat', service: 'BEST' },
    { carrier: 'jnt', service: 'EZ' },
  ],
  express: [
    { carrier: 'jne', service: 'YES' },
    { carrier: 'sicepat', service: 'BEST' },
    { carrier: 'jnt', service: 'EZ' },
  ],
} as const;

/** The reference the carrier knows a booking by: the shipment id, suffixed from the second attempt on. */
export const bookingReference = (shipmentId: string, attempt: number) =>
  attempt <= 1 ? shipmentId : `${shipmentId}.${attempt}`;
