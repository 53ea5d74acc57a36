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
 *
 * Cash on delivery (COD), as JNE, J&T and SiCepat run it for marketplaces:
 * - The booking carries `cod: { amount }`, what the courier collects at the door (IDR, two
 *   decimals); the carrier refuses it (400 naming `cod.amount`) when it is not a positive amount
 *   up to `COD_CARRIER_MAX_AMOUNT`, and (422 `cod_not_offered`) where `codOffered` says no.
 * - The courier hands a COD parcel over only against the cash, so delivery and collection are one
 *   scan: the `delivered` event of a COD parcel carries `cod_collected: { amount }`, and no other
 *   event ever does (nor any event of a parcel without COD). A recipient who will not pay refuses
 *   the parcel: `delivery_failed`, then `returned_to_sender`, and nothing is collected.
 * - The carrier pays the collected cash to the shop later, in settlement reports (remittances):
 *   `GET {carrier}/v1/cod/remittances?since=<ISO time>[&carrier=<code>]` with the API key answers
 *   `{ remittances: CodRemittance[] }`, those remitted at or after `since`, oldest first. A
 *   remittance never changes once listed; a poller keeps its last `remitted_at` as `since` and
 *   drops `remittance_id`s it has already seen. What was remitted can differ from what was
 *   collected (a courier's short remittance): reconciliation compares each item with the order.
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
  'refused', // out_for_delivery → delivery_failed (the recipient refused the COD parcel) → returned_to_sender
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
  /** Cash on delivery: what the courier collects at the door, IDR with two decimals ("125000.00"), > 0. */
  cod?: { amount: string };
}

export interface Booking {
  /** Airway bill number (nomor resi), e.g. "JNE0012345678". */
  awb: string;
  reference: string;
  carrier: CarrierCode;
  service: CarrierService;
  status: 'booked' | 'cancelled';
  booked_at: string;
  /** The booking's `cod.amount`, when it is a COD parcel. */
  cod_amount?: string;
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
  /** Only on the `delivered` event of a COD parcel: the cash the courier took at the door (IDR, two decimals). */
  cod_collected?: { amount: string };
}

/** Where the carrier connection and the webhook route hand each verified event; resolves once durable. */
export type CarrierEventSink = (event: CarrierEvent) => Promise<void>;

/**
 * The same for several events of one parcel (one `awb`) at once, in `seq` order: resolves once all
 * are durable; a rejection counts for every one of them (they come again, deduped by `event_id`).
 */
export type CarrierEventBatchSink = (events: CarrierEvent[]) => Promise<void>;

/**
 * Where couriers take cash on delivery, after their published COD coverage: COD needs a courier who
 * can carry cash back through a branch that settles it, so the same-day/next-day products (JNE YES)
 * do not take it, and the couriers exclude regions served through partner agents (the Papua
 * provinces and Maluku Utara, where J&T, SiCepat and JNE list no COD). Elsewhere JNE REG, J&T EZ
 * and SiCepat BEST do. One home for the rule: the simulator refuses what this refuses, and the
 * shop asks the same function before it offers COD at checkout.
 */
export const COD_COVERAGE = {
  /** The services that take COD, per carrier. */
  services: { jne: ['REG'], jnt: ['EZ'], sicepat: ['BEST'] } as { [C in CarrierCode]: readonly CarrierService[] },
  /** Provinces no carrier delivers COD to (names as BPS writes them; see `normalProvince`). */
  excludedProvinces: [
    'papua',
    'papua barat',
    'papua barat daya',
    'papua selatan',
    'papua tengah',
    'papua pegunungan',
    'maluku utara',
  ] as readonly string[],
};

/** English names shoppers and address books also use for the excluded provinces. */
const PROVINCE_ALIASES: Record<string, string> = {
  'west papua': 'papua barat',
  'southwest papua': 'papua barat daya',
  'south papua': 'papua selatan',
  'central papua': 'papua tengah',
  'highland papua': 'papua pegunungan',
  'north maluku': 'maluku utara',
};

/** A province name compared without case, spacing or a "Provinsi"/"Prov." prefix: "PROV. PAPUA  BARAT" is "papua barat". */
export function normalProvince(name: string): string {
  const plain = name
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim()
    .replace(/^(provinsi|province of|prov\.?)\s*/, '')
    .trim();
  return PROVINCE_ALIASES[plain] ?? plain;
}

/** Whether this carrier's service collects cash on delivery to this province (by name, as the booking's address gives it). */
export function codOffered(carrier: CarrierCode, service: CarrierService, provinceName: string): boolean {
  return (
    COD_COVERAGE.services[carrier].includes(service) &&
    !COD_COVERAGE.excludedProvinces.includes(normalProvince(provinceName))
  );
}

/**
 * The most cash a courier collects for one parcel (IDR): above it the carrier refuses the booking.
 * Couriers cap COD per parcel (the cash a driver carries on a round is insured only so far);
 * Rp 5,000,000 is the usual ceiling in their marketplace terms.
 */
export const COD_CARRIER_MAX_AMOUNT = '5000000.00';

/** An IDR amount on the carrier's wire: digits, a point, two decimals, no sign, no leading zero ("125000.00"). */
export const CARRIER_AMOUNT_PATTERN = /^(0|[1-9]\d{0,12})\.\d{2}$/;

/** A wire amount in whole sen (hundredths), for comparing and adding without floating point. */
export const amountInSen = (amount: string): number => Number(amount.replace('.', ''));

/** Whole sen back to a wire amount: 12500000 → "125000.00". */
export const senToAmount = (sen: number): string =>
  `${Math.trunc(sen / 100)}.${String(Math.abs(sen) % 100).padStart(2, '0')}`;

/** One parcel's cash in a remittance. */
export interface CodRemittanceItem {
  awb: string;
  /** The booking's reference (the shop's shipment reference). */
  reference: string;
  /** What the carrier remits for this parcel (IDR, two decimals): normally the amount collected. */
  amount: string;
  /** When the courier collected the cash (the `delivered` event's `occurred_at`). */
  collected_at: string;
}

/** A carrier's settlement of collected COD cash to the shop. */
export interface CodRemittance {
  remittance_id: string;
  carrier: CarrierCode;
  /** When the carrier remitted it: the `since` cursor of `GET /v1/cod/remittances`. */
  remitted_at: string;
  /** The sum of the items' amounts (IDR, two decimals): what reached the shop's account. */
  total: string;
  items: CodRemittanceItem[];
}
