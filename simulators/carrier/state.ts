/**
 * The carrier simulator's records, kept across restarts like the gateway's ledger: bookings, every
 * event it has sent (the push stream's log, with its global `seq`), which webhooks got a 2xx, and
 * cash on delivery's remittances (each written in the line of the `delivered` event that collected
 * it, so one is never without the other) and the short remittances tests asked for.
 * Each change is appended to a JSON-lines file before anyone hears of it, and replayed at start, so
 * a client reconnecting after a restart still gets its replay and an unfinished journey resumes.
 * Without a file it is in memory only.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Booking, BookingRequest, CarrierEvent, CodRemittance } from '../../contracts/carrier';

export interface StoredBooking extends Booking {
  scenario: NonNullable<BookingRequest['scenario']>;
  delivery: BookingRequest['delivery'];
  /** Test override: each send slot this many real ms apart instead of the speed factor. */
  step_ms?: number;
  request: BookingRequest;
}

type Entry =
  | { kind: 'booking'; value: StoredBooking }
  | { kind: 'sent'; awb: string; emission: number; event: CarrierEvent; remittance?: CodRemittance }
  | { kind: 'webhook_delivered'; awb: string; emission: number }
  /** Test control: remit this amount for the parcel instead of what was collected. */
  | { kind: 'short_remit'; awb: string; amount: string }
  /** Test control: an object streamed as an event as it is (a malformed event), with its seq. */
  | { kind: 'raw'; event: CarrierEvent };

export interface SentEvent {
  awb: string;
  emission: number;
  event: CarrierEvent;
}

export function createCarrierState(file?: string) {
  const bookings = new Map<string, StoredBooking>();
  const byReference = new Map<string, string>();
  const sent = new Map<string, SentEvent[]>();
  const stream: CarrierEvent[] = [];
  const webhookDelivered = new Set<string>();
  const remittances: CodRemittance[] = [];
  const remittanceByAwb = new Map<string, CodRemittance>();
  const shortRemits = new Map<string, string>();
  let lastSeq = 0;

  const apply = (e: Entry) => {
    if (e.kind === 'booking') {
      bookings.set(e.value.awb, e.value);
      byReference.set(e.value.reference, e.value.awb);
    } else if (e.kind === 'sent') {
      sent.set(e.awb, [...(sent.get(e.awb) ?? []), { awb: e.awb, emission: e.emission, event: e.event }]);
      if (e.event.seq > 0) {
        stream.push(e.event);
        lastSeq = Math.max(lastSeq, e.event.seq);
      }
      if (e.remittance) {
        remittances.push(e.remittance);
        remittanceByAwb.set(e.awb, e.remittance);
      }
    } else if (e.kind === 'short_remit') {
      shortRemits.set(e.awb, e.amount);
    } else if (e.kind === 'raw') {
      stream.push(e.event);
      lastSeq = Math.max(lastSeq, e.event.seq);
    } else webhookDelivered.add(`${e.awb}#${e.emission}`);
  };

  const lines: string[] = [];
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          apply(JSON.parse(line) as Entry);
          lines.push(line);
        } catch {
          // A torn last line from a crash mid-append: everything before it is intact.
        }
      }
    }
    // Rewritten without the torn line, so the next append starts on a line of its own.
    writeFileSync(`${file}.tmp`, lines.map((l) => `${l}\n`).join(''));
    renameSync(`${file}.tmp`, file);
  }

  const record = (e: Entry) => {
    if (file) appendFileSync(file, `${JSON.stringify(e)}\n`);
    apply(e);
  };

  return {
    booking: (awb: string) => bookings.get(awb),
    bookingForReference: (reference: string) => {
      const awb = byReference.get(reference);
      return awb ? bookings.get(awb) : undefined;
    },
    bookings: () => [...bookings.values()],
    saveBooking: (value: StoredBooking) => record({ kind: 'booking', value }),
    /** What this booking has sent so far, in send order. */
    sentFor: (awb: string) => sent.get(awb) ?? [],
    /**
     * Records a send; a stream event takes the next global seq here, under the append. A COD
     * parcel's first `delivered` send brings its remittance, written in the same line.
     */
    recordSent(
      awb: string,
      emission: number,
      event: Omit<CarrierEvent, 'seq'>,
      onStream: boolean,
      remittance?: CodRemittance,
    ): CarrierEvent {
      const full: CarrierEvent = { ...event, seq: onStream ? lastSeq + 1 : 0 };
      record({ kind: 'sent', awb, emission, event: full, ...(remittance ? { remittance } : {}) });
      return full;
    },
    /** Every remittance, in the order remitted (so `remitted_at` never goes back). */
    remittances: () => remittances,
    remittanceOf: (awb: string) => remittanceByAwb.get(awb),
    /** The amount a test asked this parcel to be remitted instead of what was collected. */
    shortRemitOf: (awb: string) => shortRemits.get(awb),
    setShortRemit: (awb: string, amount: string) => record({ kind: 'short_remit', awb, amount }),
    /**
     * Test control: streams `event` as it is, with the next seq, whatever it holds (a malformed
     * event, to see the client pass it). Logged like any event, so a reconnect replays it.
     */
    recordRaw(event: Record<string, unknown>): CarrierEvent {
      const full = { ...event, seq: lastSeq + 1 } as unknown as CarrierEvent;
      record({ kind: 'raw', event: full });
      return full;
    },
    /** Stream events with seq greater than `after`, in seq order. */
    streamAfter(after: number): CarrierEvent[] {
      // The log is in seq order: binary search for the first event past `after`.
      let lo = 0;
      let hi = stream.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (stream[mid]!.seq <= after) lo = mid + 1;
        else hi = mid;
      }
      return stream.slice(lo);
    },
    lastSeq: () => lastSeq,
    isWebhookDelivered: (awb: string, emission: number) => webhookDelivered.has(`${awb}#${emission}`),
    markWebhookDelivered: (awb: string, emission: number) => record({ kind: 'webhook_delivered', awb, emission }),
  };
}

export type CarrierState = ReturnType<typeof createCarrierState>;
