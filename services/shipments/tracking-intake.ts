/**
 * Where every verified carrier event goes (the carrier link's stream and the webhook route):
 * find the shipments its airway bill and its reference name, refuse it unless they and its carrier
 * name one parcel (carrier-event-rules.ts; recorded, logged and counted, never applied), and
 * signal that shipment's workflow. Resolves only
 * once Temporal accepted the signals, so the link acks and the webhook answers 2xx only for events
 * that are durably on their way; the workflow dedupes by event id, so a redelivery is harmless.
 *
 * The link hands a parcel's queued events on together: one shipment lookup and one "already
 * recorded?" query for the batch, then one signal per event not recorded yet, in order, back to
 * back (Temporal folds the signals that arrive during a workflow task into the next one). Which
 * order a recorded booking (airway bill, reference and carrier together) belongs to never changes,
 * so an event naming all three as booked is remembered; anything else is looked up every time.
 */
import { AppError } from '../../platform/errors';
import type { ComplaintClient } from '../orders/complaint-client';
import type { CarrierEvent } from '../../contracts/carrier';
import type { ShipmentClient } from './shipment-client';
import type { ShipmentStore } from './shipment-store';
import { judgeCarrierEvent, namesCurrentBooking } from './carrier-event-rules';
import type { CarrierEventSource, CarrierRefusals } from './carrier-refusals';
import { complaintOfParcel } from '../../workflows/complaint-contract';

export type IntakeOutcome = 'delivered' | 'unknown_shipment' | 'shipment_closed' | 'refused';

export interface TrackingIntakeDeps {
  shipments: Pick<ShipmentStore, 'recordedEvents' | 'parcelsNamedBy' | 'keepEventTexts'>;
  carrierRefusals: Pick<CarrierRefusals, 'refuse'>;
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
export function receiveCarrierEvents(deps: TrackingIntakeDeps, source: CarrierEventSource = 'link') {
  const orderOfAwb = new Map<string, { reference: string; carrier: string; orderId: string }>();

  /** The order whose shipment the event names, undefined when none, or why it was refused. */
  async function orderOf(event: CarrierEvent): Promise<string | { refused: true } | undefined> {
    const known = orderOfAwb.get(event.awb);
    if (known && known.reference === event.reference && known.carrier === event.carrier) return known.orderId;
    const named = await deps.shipments.parcelsNamedBy(event.awb, event.reference);
    const verdict = judgeCarrierEvent(event, named, complaintOfParcel(event.reference) !== undefined);
    if (verdict.kind === 'refused') {
      await deps.carrierRefusals.refuse(event, source, verdict.reason, verdict.shipmentIds);
      return { refused: true };
    }
    // Not found is not remembered: the booking may be written a moment later.
    if (verdict.kind === 'unknown') return undefined;
    const { shipment } = verdict;
    if (namesCurrentBooking(event, shipment)) {
      if (orderOfAwb.size >= REMEMBERED_PARCELS) orderOfAwb.delete(orderOfAwb.keys().next().value!);
      orderOfAwb.set(event.awb, { reference: event.reference, carrier: event.carrier, orderId: shipment.order_id });
    }
    return shipment.order_id;
  }

  /** Events of one booking (same airway bill, reference and carrier). */
  async function receiveParcel(events: CarrierEvent[]): Promise<IntakeOutcome[]> {
    const first = events[0]!;
    // Judged first: a complaint's parcel goes to its case only when its airway bill is no shipment's.
    const orderId = await orderOf(first);
    if (typeof orderId === 'object') return events.map(() => 'refused');
    const forCase = await deps.complaintClient?.deliverParcelEvent(first);
    if (forCase) {
      const outcomes: IntakeOutcome[] = [forCase === 'delivered' ? 'delivered' : 'shipment_closed'];
      for (const event of events.slice(1)) {
        const next = await deps.complaintClient!.deliverParcelEvent(event);
        outcomes.push(next === 'delivered' ? 'delivered' : 'shipment_closed');
      }
      return outcomes;
    }
    // Not ours (another shop's parcel, or a booking whose shipment is gone): nothing will ever
    // take it, so retrying would only loop; it is acknowledged and dropped.
    if (!orderId) return events.map(() => 'unknown_shipment');
    // Recorded means the workflow already took it: a carrier's retry (or a replayed stream) need
    // not grow the workflow's history with another signal. In-flight duplicates the workflow dedupes.
    const recorded = await deps.shipments.recordedEvents(events.map((e) => e.event_id));
    // The free text stays in Postgres: the workflow gets the event without it (personal data).
    await deps.shipments.keepEventTexts(events.filter((e) => !recorded.has(e.event_id)));
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
      const { seq: _seq, location: _location, description: _description, ...signal } = event;
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
      const { awb, reference, carrier } = events[i]!;
      let end = i + 1;
      const same = (e: CarrierEvent) => e.awb === awb && e.reference === reference && e.carrier === carrier;
      while (end < events.length && same(events[end]!)) end++;
      outcomes.push(...(await receiveParcel(events.slice(i, end))));
      i = end;
    }
    return outcomes;
  };
}

/** One event (the webhook route): its outcome. */
export function receiveCarrierEvent(deps: TrackingIntakeDeps) {
  const receive = receiveCarrierEvents(deps, 'webhook');
  return async (event: CarrierEvent): Promise<IntakeOutcome> => (await receive([event]))[0]!;
}
