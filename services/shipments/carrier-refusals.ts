/**
 * A refused carrier event (carrier-event-rules.ts) leaves three traces: a row in
 * transport.carrier_event_refusals (once per event id and entry path: a carrier's retries add
 * none), a warn line with `alert: "carrier_event_refused"`, and
 * `pasar_carrier_events_refused_total{reason,source}`. A signed event that lies about which parcel
 * it is: a carrier bug or a leaked secret; operators alert on the line or the counter.
 *
 * A malformed frame on the stream (not JSON, or an event the schema refuses: carrier-frame.ts) is
 * refused the same way with reason `malformed`, the field at fault and its problem in the log line
 * and the row's payload (with the frame as received), so the link can pass it instead of
 * reconnecting to it forever. Its airway bill, reference and carrier are kept as sent when they
 * are text (cleaned and cut to the column), else empty.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { CarrierEvent } from '../../contracts/carrier';
import type { Db } from '../../platform/clients/prisma';
import type { Logger } from '../../platform/logger';
import { counter } from '../../platform/metrics/registry';
import { withoutRefusedCharacters } from '../../platform/text-policy';
import { CARRIER_REFUSALS, type CarrierRefusal } from './carrier-event-rules';
import type { MalformedCarrierFrame } from './carrier-frame';

export type CarrierEventSource = 'link' | 'webhook';
const SOURCES: CarrierEventSource[] = ['link', 'webhook'];
const REASONS = [...CARRIER_REFUSALS, 'malformed'] as const;

/** Kept from a malformed frame: at most this much of it (a frame is at most 64 KiB). */
const MAX_FRAME_CHARS = 16_384;
/** Postgres stores no U+0000, in text or jsonb: control characters are kept as visible escapes. */
const escapeControls = (s: string) =>
  s.replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
/** A field of a malformed event as a column can hold it: text as sent (cleaned, cut), else empty. */
const column = (value: unknown, max: number) =>
  typeof value === 'string' ? withoutRefusedCharacters(value).slice(0, max) : '';

const refusedTotal = () =>
  counter({
    name: 'pasar_carrier_events_refused_total',
    help: 'Carrier events refused (airway bill, reference and carrier not naming one parcel), by reason and source',
    labelNames: ['reason', 'source'],
  });

export function createCarrierRefusals(db: Db, logger: Logger) {
  // Every label pair starts at 0, so the first refusal is an increase() an alert can see.
  for (const reason of REASONS) for (const source of SOURCES) refusedTotal().inc({ reason, source }, 0);

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

    /** A malformed frame: recorded once per event id (or frame) and source, logged and counted. */
    async refuseMalformed(frame: MalformedCarrierFrame, source: CarrierEventSource) {
      const sent = (typeof frame.sent === 'object' && frame.sent !== null ? frame.sent : {}) as Record<string, unknown>;
      const [awb, reference, carrier] = [column(sent.awb, 100), column(sent.reference, 100), column(sent.carrier, 50)];
      const { count } = await db.carrierEventRefusal.createMany({
        data: [
          {
            event_id: frame.eventId,
            source,
            reason: 'malformed',
            awb,
            reference,
            carrier,
            shipment_ids: [],
            payload: {
              problem: { field: frame.field, message: frame.message },
              seq: frame.seq ?? null,
              // Cut where no surrogate pair is split: jsonb refuses half of one.
              frame: escapeControls(frame.raw.slice(0, MAX_FRAME_CHARS).replace(/[\uD800-\uDBFF]$/, '')),
            },
          },
        ],
        skipDuplicates: true,
      });
      if (count === 0) return; // a replay of a frame already refused
      refusedTotal().inc({ reason: 'malformed', source });
      logger.warn(
        {
          alert: 'carrier_event_refused',
          reason: 'malformed',
          source,
          event_id: frame.eventId,
          seq: frame.seq,
          field: frame.field,
          problem: frame.message,
          awb,
          reference,
        },
        `carrier event refused: malformed (${frame.field}: ${frame.message})`,
      );
    },
  };
}

export type CarrierRefusals = ReturnType<typeof createCarrierRefusals>;
