/**
 * Runs each booking's timeline: at each send time it records the event (state.ts) and hands it
 * to the push stream or the webhook deliverer. After a restart it picks every unfinished journey
 * up where the log left it; sends whose time passed while it was down go out at once, in order.
 * A COD parcel's `delivered` scan is its cash collection: the event says so (`cod_collected`) and
 * the first send of it records the parcel's remittance (cod.ts).
 */
import type { CarrierEvent } from '../../contracts/carrier';
import { remittanceOf } from './cod';
import { emissionPlan, journeyFor, scanDelaysMs, type Clock } from './scenarios';
import type { CarrierState, StoredBooking } from './state';

export interface JourneyOutlets {
  /** A stream event was recorded (it has its seq). */
  streamed(event: CarrierEvent): void;
  /** A webhook event was recorded; `emission` identifies this copy for the delivery record. */
  webhook(booking: StoredBooking, emission: number, event: CarrierEvent): void;
}

export function createJourneys(state: CarrierState, speed: number, outlets: JourneyOutlets) {
  const timers = new Map<string, NodeJS.Timeout>();

  function schedule(booking: StoredBooking) {
    if (booking.status !== 'booked' || timers.has(booking.awb)) return;
    const journey = journeyFor(booking.scenario);
    const clock: Clock = { speed, stepMs: booking.step_ms };
    const scanMs = scanDelaysMs(journey, clock);
    const plan = emissionPlan(booking.scenario, scanMs);
    const bookedAt = Date.parse(booking.booked_at);

    const next = () => {
      timers.delete(booking.awb);
      const current = state.booking(booking.awb);
      if (!current || current.status !== 'booked') return;
      const index = state.sentFor(booking.awb).length;
      const emission = plan[index];
      if (!emission) return;
      const wait = bookedAt + emission.sendAfterMs - Date.now();
      if (wait > 0) {
        timers.set(booking.awb, setTimeout(next, wait));
        return;
      }
      const step = journey[emission.step]!;
      const onStream = booking.delivery === 'websocket';
      const collects = step.status === 'delivered' && current.cod_amount !== undefined;
      const scan: Omit<CarrierEvent, 'seq'> = {
        // Stable across duplicates and redeliveries: one scan, one id.
        event_id: `${booking.awb}-${step.position}`,
        awb: booking.awb,
        reference: booking.reference,
        carrier: booking.carrier,
        status: step.status,
        position: step.position,
        occurred_at: new Date(bookedAt + scanMs[emission.step]!).toISOString(),
        location: step.location,
        // As couriers' proof of delivery reads: who took the parcel, by name (personal data the
        // shop must keep out of its workflow histories; tracking-intake.ts sets the text aside).
        description:
          step.status === 'delivered' ? `${step.description}: ${current.request.destination.name}` : step.description,
        ...(collects ? { cod_collected: { amount: current.cod_amount! } } : {}),
      };
      // A duplicated `delivered` is the same collection: remitted once.
      const remittance =
        collects && !state.remittanceOf(booking.awb)
          ? remittanceOf(current, scan, state.shortRemitOf(booking.awb), new Date())
          : undefined;
      const event = state.recordSent(booking.awb, index, scan, onStream, remittance);
      if (onStream) outlets.streamed(event);
      else outlets.webhook(current, index, event);
      next();
    };
    // Sent in send order, one after another: the log's count is the next emission's index.
    timers.set(booking.awb, setTimeout(next, 0));
  }

  return {
    schedule,
    /** Picks up every booking still travelling (at start). */
    resumeAll: () => state.bookings().forEach(schedule),
    cancel(awb: string) {
      clearTimeout(timers.get(awb));
      timers.delete(awb);
    },
    stop() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

export type Journeys = ReturnType<typeof createJourneys>;
