/**
 * A refused carrier event (carrier-event-rules.ts) leaves three traces: a row in
 * transport.carrier_event_refusals (once per event id and entry path: a carrier's retries add
 * none), a warn line with `alert: "carrier_event_refused"`, and
 * `pasar_carrier_events_refused_total{reason,source}`. A signed event that lies about which parcel
 * it is: a carrier bug or a leaked secret; operators alert on the line or the counter.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { CarrierEvent } from '../../contracts/carrier';
import type { Db } from '../../platform/clients/prisma';
import type { Logger } from '../../platform/logger';
import { counter } from '../../platform/metrics/registry';
import { CARRIER_REFUSALS, type CarrierRefusal } from './carrier-event-rules';

export type CarrierEventSource = 'link' | 'webhook';
const SOURCES: CarrierEventSource[] = ['link', 'webhook'];

const refusedTotal = () =>
  counter({
    name: 'pasar_carrier_events_refused_total',
    help: 'Carrier events refused (airway bill, reference and carrier not naming one parcel), by reason and source',
    labelNames: ['reason', 'source'],
  });

export function createCarrierRefusals(db: Db, logger: Logger) {
  // Every label pair starts at 0, so the first refusal is an increase() an alert can see.
  for (const reason of CARRIER_REFUSALS) for (const source of SOURCES) refusedTotal().inc({ reason, source }, 0);

  return {
    async refuse(event: CarrierEvent, source: CarrierEventSource, reason: CarrierRefusal, shipmentIds: string[]) {
      const { count } = await db.carrierEventRefusal.createMany({
        data: [
          {
            event_id: event.event_id,
            source,
            reason,
            awb: event.awb,
            reference: event.reference,
            carrier: event.carrier,
            shipment_ids: shipmentIds,
            payload: event as unknown as Prisma.InputJsonValue,
          },
        ],
        skipDuplicates: true,
      });
      if (count === 0) return; // a retry of a refusal already recorded, counted and logged
      refusedTotal().inc({ reason, source });
      logger.warn(
        {
          alert: 'carrier_event_refused',
          reason,
          source,
          event_id: event.event_id,
          awb: event.awb,
          reference: event.reference,
          carrier: event.carrier,
          shipment_ids: shipmentIds,
        },
        'carrier event refused: its airway bill, reference and carrier do not name one parcel',
      );
    },
  };
}

export type CarrierRefusals = ReturnType<typeof createCarrierRefusals>;
