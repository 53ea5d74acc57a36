/**
 * Where every verified carrier event goes (the carrier link's stream and the webhook route):
 * find the shipment by airway bill or booking reference, and signal its workflow. Resolves only
 * once Temporal accepted the signals, so the link acks and the webhook answers 2xx only for events
 * that are durably on their way; the workflow dedupes by event id, so a redelivery is harmless.
 *
 * The link hands a parcel's queued events on together: one shipment lookup and one "already
 * recorded?" query for the batch, then one signal per event not recorded yet, in order, back to
 * back (Temporal folds the signals that arrive during a workflow task into the next one). Which
 * order an airway bill belongs to never changes once it is known, so it is remembered.
 */
import { AppError } from '../../platform/errors';
import type { ComplaintClient } from '../orders/complaint-client';
import type { CarrierEvent } from '../../contracts/carrier';
import type { ShipmentClient } from './shipment-client';
import type { ShipmentStore } from './shipment-store';

export type IntakeOutcome = 'delivered' | 'unknown_shipment' | 'shipment_closed';

export interface TrackingIntakeDeps {
  shipments: Pick<ShipmentStore, 'recordedEvents'> & {
    findForEvent(awb: string, reference: string): PromiseLike<{ order_id: string } | null>;
  };
  shipmentWorkflows: Pick<ShipmentClient, 'deliverEvent'>;
  /** A complaint's own parcels (a replacement, a return) are no order's shipment: their case takes them. */
  complaintClient?: Pick<ComplaintClient, 'deliverParcelEvent'>;
}

/** Airway bills whose order is remembered; past it the oldest is forgotten (one lookup again). */
const REMEMBERED_PARCELS = 10_000;

/**
 * Several events at once, in the order given (one parcel's, as the link hands them on; any mix
 * works). Answers each event's outcome, in the same order.
 */
export function receiveCarrierEvents(deps: TrackingIntakeDeps) {
  const orderOfAwb = new Map<string, string>();

  async function orderOf(event: CarrierEvent): Promise<string | undefined> {
    const known = orderOfAwb.get(event.awb);
    if (known) return known;
    const shipment = await deps.shipments.findForEvent(event.awb, event.reference);
    // Not found is not remembered: the booking may be written a moment later.
    if (!shipment) return undefined;
    if (orderOfAwb.size >= REMEMBERED_PARCELS) orderOfAwb.delete(orderOfAwb.keys().next().value!);
    orderOfAwb.set(event.awb, shipment.order_id);
    return shipment.order_id;
  }

  /** Events of one booking (same airway bill and reference). */
  async function receiveParcel(events: CarrierEvent[]): Promise<IntakeOutcome[]> {
    const first = events[0]!;
    const forCase = await deps.complaintClient?.deliverParcelEvent(first);
    if (forCase) {
      const outcomes: IntakeOutcome[] = [forCase === 'delivered' ? 'delivered' : 'shipment_closed'];
      for (const event of events.slice(1)) {
        const next = await deps.complaintClient!.deliverParcelEvent(event);
        outcomes.push(next === 'delivered' ? 'delivered' : 'shipment_closed');
      }
      return outcomes;
    }
    const orderId = await orderOf(first);
    // Not ours (another shop's parcel, or a booking whose shipment is gone): nothing will ever
    // take it, so retrying would only loop; it is acknowledged and dropped.
    if (!orderId) return events.map(() => 'unknown_shipment');
    // Recorded means the workflow already took it: a carrier's retry (or a replayed stream) need
    // not grow the workflow's history with another signal. In-flight duplicates the workflow dedupes.
    const recorded = await deps.shipments.recordedEvents(events.map((e) => e.event_id));
    const outcomes: IntakeOutcome[] = [];
    for (const event of events) {
      if (outcomes.at(-1) === 'shipment_closed') {
        outcomes.push('shipment_closed');
        continue;
      }
      outcomes.push('delivered');
      // Recorded, or the same event twice in this batch (a carrier's duplicate): signalled once.
      if (recorded.has(event.event_id)) continue;
      recorded.add(event.event_id);
      const { seq: _seq, ...signal } = event;
      try {
        await deps.shipmentWorkflows.deliverEvent(orderId, signal);
      } catch (err) {
        // The shipment's workflow has ended (completed, refunded): a late scan changes nothing now.
        if (err instanceof AppError && err.code === 'not_found') outcomes[outcomes.length - 1] = 'shipment_closed';
        else throw err;
      }
    }
    return outcomes;
  }

  return async (events: CarrierEvent[]): Promise<IntakeOutcome[]> => {
    const outcomes: IntakeOutcome[] = [];
    for (let i = 0; i < events.length;) {
      const { awb, reference } = events[i]!;
      let end = i + 1;
      while (end < events.length && events[end]!.awb === awb && events[end]!.reference === reference) end++;
      outcomes.push(...(await receiveParcel(events.slice(i, end))));
      i = end;
    }
    return outcomes;
  };
}

/** One event (the webhook route): its outcome. */
export function receiveCarrierEvent(deps: TrackingIntakeDeps) {
  const receive = receiveCarrierEvents(deps);
  return async (event: CarrierEvent): Promise<IntakeOutcome> => (await receive([event]))[0]!;
}
