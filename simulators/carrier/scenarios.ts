/**
 * A booking's scenario as a timeline (pure, no clock): the parcel's journey (each scan with its
 * place and its time after booking) and the emission plan (when and in which order the carrier
 * sends those scans, duplicates included). Journey times are in simulator seconds; the clock scales
 * them by the speed factor, or spaces the steps `stepMs` apart when a test asks for that.
 */
import type { Scenario, TrackingStatus } from '../../contracts/carrier';

export interface JourneyStep {
  status: TrackingStatus;
  /** 1-based place in the journey (the contract's `position`). */
  position: number;
  /** Simulator seconds after booking at which the parcel was scanned. */
  atSeconds: number;
  location: string;
  description: string;
}

export interface Emission {
  /** Index into the journey. */
  step: number;
  /** Real ms after booking at which the carrier sends it (never before the scan). */
  sendAfterMs: number;
}

const HOUR = 3600;
type Leg = [TrackingStatus, number, string, string];

const FIRST_MILE: Leg[] = [
  ['order_received', 0, 'Online', 'Booking received from the shipper'],
  ['packing', HOUR / 2, 'Seller', 'Parcel being packed by the shipper'],
  ['picked_up', 3 * HOUR, 'Origin', 'Parcel picked up by the courier'],
];
const LINE_HAUL: Leg[] = [
  ['arrived_facility', 3 * HOUR, 'Origin hub', 'Arrived at the sorting facility'],
  ['departed_facility', 3 * HOUR, 'Origin hub', 'Departed the sorting facility'],
];
const OUT: Leg = ['out_for_delivery', 10 * HOUR, 'Destination', 'With the courier for delivery'];
const FAILED: Leg = ['delivery_failed', 4 * HOUR, 'Destination', 'Recipient not at home'];
const DELIVERED: Leg = ['delivered', 3 * HOUR, 'Destination', 'Delivered to the recipient'];
const RETURNED: Leg = ['returned_to_sender', 24 * HOUR, 'Origin', 'Returned to the shipper'];
/** A recipient who will not pay: the courier takes the parcel back without a second attempt. */
const REFUSED: Leg = ['delivery_failed', HOUR / 4, 'Destination', 'Recipient refused the COD parcel (did not pay)'];

const LEGS: Record<Scenario, Leg[]> = {
  normal: [...FIRST_MILE, ...LINE_HAUL, OUT, DELIVERED],
  failed_attempt: [
    ...FIRST_MILE,
    ...LINE_HAUL,
    OUT,
    FAILED,
    ['out_for_delivery', 20 * HOUR, OUT[2], OUT[3]],
    DELIVERED,
  ],
  returned: [
    ...FIRST_MILE,
    ...LINE_HAUL,
    OUT,
    FAILED,
    ['out_for_delivery', 20 * HOUR, OUT[2], OUT[3]],
    FAILED,
    RETURNED,
  ],
  lost: [...FIRST_MILE],
  no_pickup: [FIRST_MILE[0]!],
  duplicated: [...FIRST_MILE, ...LINE_HAUL, OUT, DELIVERED],
  out_of_order: [...FIRST_MILE, ...LINE_HAUL, OUT, DELIVERED],
  refused: [...FIRST_MILE, ...LINE_HAUL, OUT, REFUSED, RETURNED],
};

/** The scans of a parcel under this scenario, in journey order. */
export function journeyFor(scenario: Scenario): JourneyStep[] {
  let at = 0;
  return LEGS[scenario].map(([status, after, location, description], i) => {
    at += after;
    return { status, position: i + 1, atSeconds: at, location, description };
  });
}

export interface Clock {
  /** Simulator seconds per real second. */
  speed: number;
  /** Test override: journey steps this many real ms apart, whatever the speed. */
  stepMs?: number;
}

/** Real milliseconds after booking at which each journey step is scanned. */
export function scanDelaysMs(journey: JourneyStep[], clock: Clock): number[] {
  return journey.map((s, i) => (clock.stepMs === undefined ? (s.atSeconds * 1000) / clock.speed : i * clock.stepMs));
}

/**
 * The order the carrier sends the scans in, and when (real ms after booking). `duplicated` sends
 * each twice; `out_of_order` swaps neighbours after the first (1,3,2,5,4,7,6): each goes out once
 * its later neighbour has been scanned, as a scanner syncing late would, so `delivered` arrives
 * before `out_for_delivery`. Nothing is sent before it was scanned.
 */
export function emissionPlan(scenario: Scenario, scanMs: number[]): Emission[] {
  if (scenario === 'duplicated') return scanMs.flatMap((ms, step) => [0, 1].map(() => ({ step, sendAfterMs: ms })));
  if (scenario !== 'out_of_order') return scanMs.map((ms, step) => ({ step, sendAfterMs: ms }));
  const order = [0];
  for (let i = 1; i < scanMs.length; i += 2) order.push(...(i + 1 < scanMs.length ? [i + 1, i] : [i]));
  let latest = 0;
  return order.map((step) => {
    latest = Math.max(latest, scanMs[step]!);
    return { step, sendAfterMs: latest };
  });
}

/** Whether the parcel has left the shipper (it can no longer be cancelled). */
export const isPickedUp = (statuses: TrackingStatus[]) =>
  statuses.some((s) => s !== 'order_received' && s !== 'packing');
