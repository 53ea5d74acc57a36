/**
 * The contract between the carrier (a courier's API: simulators/carrier in development) and the
 * shipment service. The simulator, the carrier connection (websocket + webhook intake) and the
 * shipment workflow all speak these types, so each can be built and tested on its own. It imports
 * nothing, so the workflow bundle may import it; the signature scheme lives in webhook-signature/.
 *
 * Wire protocol, as Indonesian couriers' partner APIs work:
 * - Booking: `POST {carrier}/v1/bookings` with `Authorization: Bearer <api key>` and a
 *   `BookingRequest`; answers 201 with a `Booking` (or 200 with the same `Booking` when that
 *   `reference` was booked before: booking is idempotent on `reference`). `POST
 *   /v1/bookings/:awb/cancel` cancels a parcel not yet picked up.
 * - Push (`delivery: 'websocket'`): the shipment service holds `GET /v1/stream?after=<seq>` open
 *   as a websocket. The carrier sends `{ "type": "event", "event": CarrierEvent }` frames in `seq`
 *   order and replays every event after `after` on reconnect; the client answers
 *   `{ "type": "ack", "seq": n }` once the event is durably handed on, and reconnects from the last
 *   acknowledged `seq`. Delivery is at least once: the same `event_id` may arrive again.
 * - Webhook (`delivery: 'webhook'`): the carrier posts the `CarrierEvent` JSON to the shop's
 *   `POST /shipments/webhook` with `X-Carrier-Timestamp` (unix seconds) and
 *   `X-Carrier-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared
 *   secret>`, retrying with backoff until it gets a 2xx.
 * Events can arrive duplicated and out of order (a courier's scanners sync late): `position` is the
 * event's place in the parcel's journey and `occurred_at` when it was scanned, so a consumer can put
 * them back in order and drop what it has already applied.
 */

export const CARRIERS = {
  jne: { name: 'JNE', services: ['REG', 'YES'] },
  jnt: { name: 'J&T Express', services: ['EZ'] },
  sicepat: { name: 'SiCepat', services: ['BEST'] },
} as const;

export type CarrierCode = keyof typeof CARRIERS;
export type CarrierService = (typeof CARRIERS)[CarrierCode]['services'][number];

/** A parcel's journey, in the order a normal delivery goes through it. */
export const TRACKING_STATUSES = [
  'order_received',
  'packing',
  'picked_up',
  'arrived_facility',
  'departed_facility',
  'out_for_delivery',
  'delivery_failed',
  'delivered',
  'returned_to_sender',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/** The statuses a parcel delivered at the first attempt goes through, in order. */
export const NORMAL_JOURNEY: readonly TrackingStatus[] = [
  'order_received',
  'packing',
  'picked_up',
  'arrived_facility',
  'departed_facility',
  'out_for_delivery',
  'delivered',
];

/** Chosen per booking, as the payment gateway's test cards choose a payment's outcome. */
export const SCENARIOS = [
  'normal', // order_received … delivered
  'failed_attempt', // out_for_delivery → delivery_failed → out_for_delivery → delivered
  'returned', // attempts fail, then returned_to_sender
  'lost', // nothing after picked_up
  'no_pickup', // order_received, then nothing: the courier never comes
  'duplicated', // a normal delivery where every event is sent twice
  'out_of_order', // a normal delivery whose events are sent shuffled
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Address {
  name: string;
  phone: string;
  line1: string;
  city: string;
  province: string;
  postal_code: string;
}

export interface BookingRequest {
  /** The shop's idempotency key for this parcel (the shipment id). */
  reference: string;
  carrier: CarrierCode;
  service: CarrierService;
  origin: Address;
  destination: Address;
  weight_grams: number;
  delivery: 'websocket' | 'webhook';
  /** Test/demo only: the simulator defaults to 'normal'. A real carrier ignores it. */
  scenario?: Scenario;
}

export interface Booking {
  /** Airway bill number (nomor resi), e.g. "JNE0012345678". */
  awb: string;
  reference: string;
  carrier: CarrierCode;
  service: CarrierService;
  status: 'booked' | 'cancelled';
  booked_at: string;
}

export interface CarrierEvent {
  /** Stable across redeliveries: the key for "already applied". */
  event_id: string;
  /** The carrier's stream sequence (websocket resume point); 0 for webhook-only deliveries. */
  seq: number;
  awb: string;
  reference: string;
  carrier: CarrierCode;
  status: TrackingStatus;
  /** 1-based place of this event in the parcel's journey. */
  position: number;
  occurred_at: string;
  location?: string;
  description?: string;
}

/** Where the carrier connection and the webhook route hand each verified event; resolves once durable. */
export type CarrierEventSink = (event: CarrierEvent) => Promise<void>;

/**
 * The same for several events of one parcel (one `awb`) at once, in `seq` order: resolves once all
 * are durable; a rejection counts for every one of them (they come again, deduped by `event_id`).
 */
export type CarrierEventBatchSink = (events: CarrierEvent[]) => Promise<void>;
