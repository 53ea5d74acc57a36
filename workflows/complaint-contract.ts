/**
 * What the outside world needs to talk to a complaint workflow: its input, the one update that
 * carries every buyer, seller and operator action, its query and its states. Kept apart from the
 * workflow body so the API imports no workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { OPEN_COMPLAINT_STATES, type ComplaintOutcome, type ComplaintStateName } from '../contracts/states';

export const COMPLAINT_REASONS = ['not_received', 'damaged', 'wrong_item', 'missing_item', 'not_as_described'] as const;
export type ComplaintReason = (typeof COMPLAINT_REASONS)[number];

/** Every deadline of a case, in seconds, read from config when the case starts. */
export interface ComplaintDeadlines {
  sellerAnswerSeconds: number;
  returnShipSeconds: number;
  inspectionSeconds: number;
  offerResponseSeconds: number;
  escalationSeconds: number;
}

export interface ComplaintInput {
  complaintId: string;
  orderId: string;
  userId: string;
  /** What the buyer paid for the order (decimal string): no resolution refunds more. */
  paidAmount: string;
  deadlines: ComplaintDeadlines;
  /**
   * How long a replacement parcel may travel before it is taken as lost and the buyer refunded
   * (the shipments' own lost-parcel time). Cases started without it wait for the carrier only.
   */
  parcelLostAfterSeconds?: number;
}

export type { ComplaintOutcome, ComplaintStateName } from '../contracts/states';
/** The states a case is still open in (they hold the order's completion). */
export const OPEN_STATES: ComplaintStateName[] = [...OPEN_COMPLAINT_STATES];

/**
 * What an action may carry besides its facts: the id of the note written with it. The note's text
 * (free text: people write phone numbers and bank accounts in it) is kept by the order service
 * before the case is told (services/orders/complaint-actions.ts) and never enters the history.
 * Histories recorded before carry the text itself as `note`; the case reads neither, so old and
 * new payloads replay alike and no decision depends on what a note says.
 */
interface Noted {
  note_id?: string;
}

export type ComplaintAction = Noted &
  (
    | { by: 'seller'; type: 'accept_refund' }
    | { by: 'seller'; type: 'accept_return' }
    | { by: 'seller'; type: 'accept_replacement' }
    | { by: 'seller'; type: 'offer_partial'; amount: string }
    | { by: 'seller'; type: 'accept_counter' }
    | { by: 'seller'; type: 'reject' }
    | { by: 'seller'; type: 'return_received' }
    | { by: 'seller'; type: 'inspection_passed' }
    | { by: 'seller'; type: 'inspection_failed' }
    | { by: 'buyer'; type: 'accept_offer' }
    | { by: 'buyer'; type: 'counter_offer'; amount: string }
    | { by: 'buyer'; type: 'escalate' }
    | { by: 'buyer'; type: 'withdraw' }
    | { by: 'buyer'; type: 'return_shipped'; tracking_number: string }
    | { by: 'operator'; type: 'decide'; outcome: 'refund' | 'partial_refund' | 'reject'; amount?: string }
  );

export type ComplaintActionType = ComplaintAction['type'];

/** Which action each state accepts; anything else is refused with `invalid_state`. */
export const ALLOWED_ACTIONS: Partial<Record<ComplaintStateName, ComplaintActionType[]>> = {
  awaiting_seller: [
    'accept_refund',
    'accept_return',
    'accept_replacement',
    'offer_partial',
    'accept_counter',
    'reject',
    'withdraw',
  ],
  offer_pending: ['accept_offer', 'counter_offer', 'escalate', 'withdraw'],
  escalated: ['decide', 'withdraw'],
  awaiting_return: ['return_shipped'],
  return_in_transit: ['return_received'],
  inspecting: ['inspection_passed', 'inspection_failed'],
};

/** Who may take each action: the buyer on their own routes, the seller or an operator on admin routes. */
export const ACTION_ACTOR: Record<ComplaintActionType, ComplaintAction['by']> = {
  accept_refund: 'seller',
  accept_return: 'seller',
  accept_replacement: 'seller',
  offer_partial: 'seller',
  accept_counter: 'seller',
  reject: 'seller',
  return_received: 'seller',
  inspection_passed: 'seller',
  inspection_failed: 'seller',
  accept_offer: 'buyer',
  counter_offer: 'buyer',
  escalate: 'buyer',
  withdraw: 'buyer',
  return_shipped: 'buyer',
  decide: 'operator',
};

export interface ComplaintState {
  complaint_id: string;
  order_id: string;
  state: ComplaintStateName;
  /** When the current state's timer fires (ISO), if it has one. */
  deadline?: string;
  /** The seller's partial-refund offer, or the buyer's counter, waiting for the other side. */
  offer_amount?: string;
  counter_amount?: string;
  return_tracking_number?: string;
  /** The carrier's airway bill of the return parcel booked when the buyer ships it back. */
  return_awb?: string;
  /** The replacement parcel's airway bill, once its stock is deducted and the carrier booked. */
  replacement_awb?: string;
  /** Why an accepted replacement became a refund (e.g. `out_of_stock`). */
  replacement_fallback?: 'out_of_stock' | 'not_delivered';
  outcome?: ComplaintOutcome;
  refunded_amount?: string;
  /** Who or what ended each state, newest last (e.g. `seller:reject`, `deadline:awaiting_seller`). */
  history: string[];
}

export const complaintActionUpdate = defineUpdate<ComplaintState, [ComplaintAction]>('complaintAction');
export const complaintStateQuery = defineQuery<ComplaintState>('complaintState');

/** A carrier's tracking event for one of the case's own parcels (a replacement, or the return). */
export interface ComplaintParcelEvent {
  event_id: string;
  reference: string;
  awb: string;
  status: string;
}
export const complaintParcelSignal = defineSignal<[ComplaintParcelEvent]>('complaintParcelEvent');

export type ComplaintParcelKind = 'replacement' | 'return';
/** The carrier reference of a case's parcel: the intake finds the case from it alone. */
export const complaintParcelReference = (kind: ComplaintParcelKind, complaintId: string) => `${kind}-${complaintId}`;
const PARCEL_REFERENCE = /^(replacement|return)-([0-9a-f-]{36})$/;
/** The case a parcel reference belongs to, or undefined for any other parcel. */
export function complaintOfParcel(reference: string): { kind: ComplaintParcelKind; complaintId: string } | undefined {
  const m = PARCEL_REFERENCE.exec(reference);
  return m ? { kind: m[1] as ComplaintParcelKind, complaintId: m[2]! } : undefined;
}
/** The stock key of a replacement: reserved and deducted under it once, whatever retries. */
export const replacementStockKey = (complaintId: string) => `replacement-${complaintId}`;

/** One case per order at a time: the id comes from the complaint row, which is unique per open order. */
export const complaintWorkflowId = (complaintId: string) => `complaint-${complaintId}`;

/** Money as integer sen, so comparing amounts never meets a float. */
export function toSen(amount: string): number {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(amount);
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export const fromSen = (sen: number) => `${Math.floor(sen / 100)}.${String(sen % 100).padStart(2, '0')}`;
