/**
 * Where every verified carrier event goes (the carrier link's stream and the webhook route):
 * find the shipment by airway bill or booking reference, and signal its workflow. Resolves only
 * once Temporal accepted the signal, so the link acks and the webhook answers 2xx only for an
 * event that is durably on its way; the workflow dedupes by event id, so a redelivery is harmless.
 */
import { AppError } from '../../platform/errors';
import type { ComplaintClient } from '../orders/complaint-client';
import type { CarrierEvent } from '../../contracts/carrier';
import type { ShipmentClient } from './shipment-client';
import type { ShipmentStore } from './shipment-store';

export type IntakeOutcome = 'delivered' | 'unknown_shipment' | 'shipment_closed';

export interface TrackingIntakeDeps {
  shipments: Pick<ShipmentStore, 'findForEvent' | 'hasEvent'>;
  shipmentWorkflows: Pick<ShipmentClient, 'deliverEvent'>;
  /** A complaint's own parcels (a replacement, a return) are no order's shipment: their case takes them. */
  complaintClient?: Pick<ComplaintClient, 'deliverParcelEvent'>;
}

export function receiveCarrierEvent(deps: TrackingIntakeDeps) {
  return async (event: CarrierEvent): Promise<IntakeOutcome> => {
    const forCase = await deps.complaintClient?.deliverParcelEvent(event);
    if (forCase) return forCase === 'delivered' ? 'delivered' : 'shipment_closed';
    const shipment = await deps.shipments.findForEvent(event.awb, event.reference);
    // Not ours (another shop's parcel, or a booking whose shipment is gone): nothing will ever
    // take it, so retrying would only loop; it is acknowledged and dropped.
    if (!shipment) return 'unknown_shipment';
    // Recorded means the workflow already took it: a carrier's retry (or a replayed stream) need
    // not grow the workflow's history with another signal. In-flight duplicates the workflow dedupes.
    if (await deps.shipments.hasEvent(event.event_id)) return 'delivered';
    const { seq: _seq, ...signal } = event;
    try {
      await deps.shipmentWorkflows.deliverEvent(shipment.order_id, signal);
    } catch (err) {
      // The shipment's workflow has ended (completed, refunded): a late scan changes nothing now.
      if (err instanceof AppError && err.code === 'not_found') return 'shipment_closed';
      throw err;
    }
    return 'delivered';
  };
}
