/**
 * The life cycles Pasar publishes: each state list is written once, here, and the workflows, the
 * stores, the API's zod enums and the event catalog derive theirs from it. Other services read
 * these states in Pasar's events, so they are a contract like a carrier's wire format: constants
 * only, importing nothing, so the workflow bundle may import them.
 */

/** Every status an order can be in, in the order of its life. */
export const ORDER_STATUSES = [
  'pending',
  /** Cash on delivery: accepted and its stock taken, nothing paid yet; the courier collects at the door. */
  'confirmed',
  'paid',
  'processing',
  'shipped',
  'delivered',
  'returned',
  'completed',
  'cancelled',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where a shipment stands; `delivered` and `returned` end the journey, `cancelled` ends it unshipped. */
export const SHIPMENT_STATUSES = [
  'pending',
  'booked',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'returned',
  'cancelled',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** A complaint case's states: the open ones first, then the three it ends in. */
export const COMPLAINT_STATES = [
  'awaiting_seller',
  'offer_pending',
  'escalated',
  'awaiting_return',
  'return_in_transit',
  'inspecting',
  'replacing',
  'resolving',
  'resolved',
  'withdrawn',
  'closed',
] as const;
export type ComplaintStateName = (typeof COMPLAINT_STATES)[number];

/** The states a case ends in; every other state is open (and holds its order's completion). */
export const CLOSED_COMPLAINT_STATES = ['resolved', 'withdrawn', 'closed'] as const satisfies ComplaintStateName[];
export const OPEN_COMPLAINT_STATES = COMPLAINT_STATES.filter(
  (s): s is Exclude<ComplaintStateName, (typeof CLOSED_COMPLAINT_STATES)[number]> =>
    !(CLOSED_COMPLAINT_STATES as readonly string[]).includes(s),
);

/** How a case ended; the shipment workflow reads it to give the order its final status. */
export const COMPLAINT_OUTCOMES = [
  'refunded',
  'partially_refunded',
  'replaced',
  'rejected',
  'withdrawn',
  'closed',
] as const;
export type ComplaintOutcome = (typeof COMPLAINT_OUTCOMES)[number];
