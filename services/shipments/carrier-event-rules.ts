/**
 * What a carrier event may touch. A valid signature (or the carrier's own socket) proves who sent
 * the event, not that it is about the parcel it claims: its airway bill, its reference and its
 * carrier must all name one parcel of ours, or the event is refused and never reaches a workflow.
 * The one home of that rule: the push stream and the webhook both come through the tracking
 * intake, which asks here (as services/payments/webhook-rules.ts judges a gateway's webhook).
 */
import type { CarrierEvent } from '../../contracts/carrier';

export const CARRIER_REFUSALS = [
  /** The airway bill names one parcel, the reference another. */
  'awb_reference_mismatch',
  /** The airway bill is the parcel's, the reference is not the booking's. */
  'reference_mismatch',
  /** The reference is the booking's, the airway bill is another. */
  'awb_mismatch',
  /** Airway bill and reference agree, the carrier is not the one booked. */
  'carrier_mismatch',
] as const;
export type CarrierRefusal = (typeof CARRIER_REFUSALS)[number];

/** A shipment as the rule sees it: its current booking, if it has one yet. */
export interface BookedParcel {
  id: string;
  order_id: string;
  tracking_number: string | null;
  reference: string | null;
  carrier: string | null;
}

/** The shipments an event's fields name: by airway bill, and by reference (or the shipment id it starts with). */
export interface NamedParcels {
  byAwb: BookedParcel | undefined;
  byReference: BookedParcel | undefined;
}

export type CarrierVerdict =
  | { kind: 'apply'; shipment: BookedParcel }
  | { kind: 'unknown' }
  | { kind: 'refused'; reason: CarrierRefusal; shipmentIds: string[] };

/**
 * Decides, without side effects. `complaintParcel`: the reference is a complaint's parcel (a
 * replacement, a return), which no shipment owns, so an airway bill naming a shipment contradicts it.
 */
export function judgeCarrierEvent(
  event: Pick<CarrierEvent, 'awb' | 'reference' | 'carrier'>,
  named: NamedParcels,
  complaintParcel = false,
): CarrierVerdict {
  const { byAwb, byReference } = named;
  const ids = [...new Set([byAwb?.id, byReference?.id].filter((id): id is string => !!id))];
  const refused = (reason: CarrierRefusal): CarrierVerdict => ({ kind: 'refused', reason, shipmentIds: ids });
  if (complaintParcel) return byAwb ? refused('awb_reference_mismatch') : { kind: 'unknown' };
  if (byAwb && byReference && byAwb.id !== byReference.id) return refused('awb_reference_mismatch');
  const shipment = byAwb ?? byReference;
  if (!shipment) return { kind: 'unknown' };
  const awbIsBooking = shipment.tracking_number === event.awb;
  const referenceIsBooking = shipment.reference === event.reference;
  if (awbIsBooking && shipment.reference !== null && !referenceIsBooking) return refused('reference_mismatch');
  if (referenceIsBooking && shipment.tracking_number !== null && !awbIsBooking) return refused('awb_mismatch');
  if ((awbIsBooking || referenceIsBooking) && shipment.carrier !== null && shipment.carrier !== event.carrier)
    return refused('carrier_mismatch');
  // Consistent with the current booking; or a booking not recorded yet (the first scans can beat the
  // carrier's answer to us), or an earlier booking of this shipment (a rebook), which the workflow
  // sets aside itself: both name this shipment by its id and nothing else.
  return { kind: 'apply', shipment };
}

/** Whether a verdict may be remembered for this airway bill: the booking is recorded and the event matches all of it. */
export function namesCurrentBooking(event: Pick<CarrierEvent, 'awb' | 'reference' | 'carrier'>, s: BookedParcel) {
  return s.tracking_number === event.awb && s.reference === event.reference && s.carrier === event.carrier;
}
