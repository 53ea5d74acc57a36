/**
 * The event catalog: one zod schema per domain event type, with the topic that carries it.
 * Producers validate against it before writing to the outbox (platform/outbox/outbox.ts), so a
 * producer bug fails its own transaction; consumers get events through `parseEvent` (the runtime
 * in platform/kafka/consumer.ts calls it), so an event that does not validate is parked on the
 * dead-letter topic instead of reaching a handler. tests/integration/event-catalog.test.ts proves
 * every type the code produces validates.
 *
 * Evolving an event: add optional fields only. Objects are not strict, so a consumer running an
 * older catalog ignores a field it does not know (rolling deploys); removing or retyping a field is
 * a new event type.
 */
import { z } from 'zod';
import { COMPLAINT_STATES, SHIPMENT_STATUSES } from '../contracts/states';
import type { EventEnvelope } from './events';
import { TOPICS, type TopicSpec } from './kafka/topics';

/** Money as Postgres `decimal(12,2)` renders it: `Decimal.toFixed(2)`. */
const money = z.string().regex(/^\d+\.\d{2}$/, 'a decimal amount with two places, e.g. "15000.00"');
const uuid = z.uuid();
const isoTime = z.iso.datetime({ offset: true });
/**
 * A closed set checked at run time while producers may pass a plain string (their rows type it
 * so): the input type is `string`, consumers get the union.
 */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.string().pipe(z.enum(values));

export const PRODUCT_STATUSES = ['active', 'inactive'] as const;
/** Why stock changed: a checkout reserved, released, deducted or restocked it, or an admin set it. */
export const INVENTORY_REASONS = [
  'reserved',
  'reservation_released',
  'stock_deducted',
  'order_refunded',
  'stock_set',
] as const;

const orderLine = z.object({ product_id: uuid, quantity: z.number().int().positive(), unit_price: money });

const orderChange = <S extends 'paid' | 'confirmed' | 'cancelled' | 'refunded'>(status: S) =>
  z.object({
    order_id: uuid,
    order_number: z.string().min(1),
    user_id: uuid,
    status: z.literal(status),
    total_amount: money,
    /** What the order's vouchers took off the lines and the shipping (issue 22; absent before it). */
    discount_amount: money.optional(),
    shipping_discount: money.optional(),
    /**
     * The vouchers claimed for the order and what each took off (issue 22): on order.paid and
     * order.confirmed, the events that sell it, so analytics counts spend per voucher by the same
     * rule as the sale. Absent on older events and on the other changes.
     */
    vouchers: z
      .array(
        z.object({
          voucher_id: uuid,
          code: z.string().min(1),
          name: z.string(),
          kind: oneOf(['shipping', 'discount'] as const),
          amount: money,
        }),
      )
      .optional(),
    /** Why it was cancelled or refunded; null when paid. */
    reason: z.string().nullable(),
    /** The order's lines, so a consumer of a payment or a refund need not remember order.created. */
    items: z.array(orderLine).optional(),
  });

/** An order moving through fulfilment (workflows/shipment.ts drives it), with its shipment. */
const orderProgress = <S extends 'processing' | 'shipped' | 'delivered' | 'returned' | 'completed'>(status: S) =>
  z.object({
    order_id: uuid,
    order_number: z.string().min(1),
    user_id: uuid,
    status: z.literal(status),
    shipment_id: uuid.nullable(),
  });

/** A shipment's state after the change, with the booking it holds now. */
const shipmentChange = z.object({
  shipment_id: uuid,
  order_id: uuid,
  status: oneOf(SHIPMENT_STATUSES),
  carrier: z.string().nullable(),
  awb: z.string().nullable(),
  /** The carrier's tracking status that moved it (null for the shop's own changes). */
  tracking_status: z.string().nullable(),
  reason: z.string().nullable(),
});

const paymentChange = z.object({
  order_id: uuid,
  transaction_id: uuid,
  amount: money,
  currency: z.string().length(3),
  gateway_event_id: z.string().min(1),
  /** The gateway's failure reason on payment.failed; null otherwise. */
  reason: z.string().nullable(),
  /** On payment.refunded of one refund (full or partial): that refund; `amount` is then what it returned. */
  refund_id: uuid.optional(),
  /** What has been refunded of this payment so far, this refund included. */
  refunded_total: money.optional(),
  /**
   * How it is paid (card, bank_transfer, qris, ewallet, cod) and the bank or e-wallet: on every
   * payment event, refunds and reversals included; absent from events written before issue 21.
   */
  method: z.string().min(1).optional(),
  method_detail: z.string().nullable().optional(),
});

/** A payment opened for an order: a checkout's first intent, or a new one after a method switch. */
const paymentStarted = z.object({
  order_id: uuid,
  transaction_id: uuid,
  amount: money,
  currency: z.string().length(3),
  method: z.string().min(1),
  method_detail: z.string().nullable(),
});

/** A complaint case after the change (workflows/complaint.ts drives it). */
const complaintChange = z.object({
  complaint_id: uuid,
  order_id: uuid,
  user_id: uuid,
  state: oneOf(COMPLAINT_STATES),
  reason: z.string().min(1),
  /** When the state's timer fires; null in a state without one. */
  deadline_at: isoTime.nullable(),
  /** What moved it: `seller:reject`, `deadline:awaiting_seller`, `buyer:withdraw`, `opened`... */
  cause: z.string().min(1),
  /** How it ended (refunded, partially_refunded, replaced, rejected, withdrawn, closed); null while open. */
  outcome: z.string().nullable(),
  refunded_amount: money,
});

interface CatalogEntry<S extends z.ZodType = z.ZodType> {
  topic: TopicSpec;
  schema: S;
}

const entry = <S extends z.ZodType>(topic: TopicSpec, schema: S): CatalogEntry<S> => ({ topic, schema });

/** Every event type Pasar produces, its topic and its data's schema. */
export const EVENT_CATALOG = {
  'user.registered': entry(
    TOPICS.users,
    z.object({
      user_id: uuid,
      email: z.email(),
      first_name: z.string(),
      last_name: z.string(),
      phone: z.string(),
    }),
  ),
  /** An operator disabled or enabled an account (services/auth/accounts.ts): the audit record, with who did it. */
  'user.status_changed': entry(
    TOPICS.users,
    z.object({ user_id: uuid, status: z.enum(['active', 'disabled']), changed_by: uuid }),
  ),
  /** The whole product as the catalog shows it (services/catalog/products.ts `toView`), on create and on every edit. */
  'product.upserted': entry(
    TOPICS.products,
    z.object({
      id: uuid,
      sku: z.string().min(1),
      name: z.string().min(1),
      description: z.string(),
      price: money,
      category: z.string().min(1),
      status: oneOf(PRODUCT_STATUSES),
      weight_grams: z.number().int().nonnegative(),
      available: z.number().int(),
      in_stock: z.boolean(),
      created_at: isoTime,
      updated_at: isoTime,
    }),
  ),
  /** Absolute numbers after the change (apply it even after a gap); `order_id` is null for stock_set. */
  'inventory.changed': entry(
    TOPICS.inventory,
    z.object({
      product_id: uuid,
      quantity: z.number().int().nonnegative(),
      reserved: z.number().int().nonnegative(),
      available: z.number().int(),
      reason: oneOf(INVENTORY_REASONS),
      order_id: z.string().min(1).nullable(),
    }),
  ),
  'order.created': entry(
    TOPICS.orders,
    z.object({
      order_id: uuid,
      order_number: z.string().min(1),
      user_id: uuid,
      subtotal: money,
      items: z.array(orderLine).min(1),
    }),
  ),
  'order.paid': entry(TOPICS.orders, orderChange('paid')),
  /** A cash-on-delivery order accepted and its stock taken: shipped like a paid one, paid at the door. */
  'order.confirmed': entry(TOPICS.orders, orderChange('confirmed')),
  'order.cancelled': entry(TOPICS.orders, orderChange('cancelled')),
  'order.refunded': entry(TOPICS.orders, orderChange('refunded')),
  'order.processing': entry(TOPICS.orders, orderProgress('processing')),
  'order.shipped': entry(TOPICS.orders, orderProgress('shipped')),
  'order.delivered': entry(TOPICS.orders, orderProgress('delivered')),
  'order.returned': entry(TOPICS.orders, orderProgress('returned')),
  'order.completed': entry(TOPICS.orders, orderProgress('completed')),
  /** A carrier booked the parcel (again, after a rebooking): the AWB it goes by. */
  'shipment.created': entry(TOPICS.shipments, shipmentChange),
  'shipment.status_changed': entry(TOPICS.shipments, shipmentChange),
  /** No tracking event for too long: operators look (GET /admin/shipments/stuck). */
  'shipment.stuck': entry(TOPICS.shipments, shipmentChange),
  /** A signed-in shopper opened a product page; published by the API directly, at most once. */
  'product.viewed': entry(TOPICS.views, z.object({ user_id: uuid, product_id: uuid, viewed_at: isoTime })),
  /** A product's first add to a shopper's cart; published by the API directly, at most once (services/analytics/cart-events.ts). */
  'cart.item_added': entry(
    TOPICS.views,
    z.object({ user_id: uuid, product_id: uuid, quantity: z.number().int().positive(), added_at: isoTime }),
  ),
  /** A search that found nothing, as typed (normalized); published by the API directly, at most once (services/analytics/search-events.ts). */
  'search.no_results': entry(
    TOPICS.views,
    z.object({
      query: z.string().min(1).max(100),
      category: z.string().nullable(),
      did_you_mean: z.string().nullable(),
    }),
  ),
  /** The dashboard's per-method conversion counts these (started) against payment.succeeded (paid). */
  'payment.started': entry(TOPICS.payments, paymentStarted),
  'payment.succeeded': entry(TOPICS.payments, paymentChange),
  'payment.failed': entry(TOPICS.payments, paymentChange),
  'payment.refunded': entry(TOPICS.payments, paymentChange),
  /** A settled payment later denied by the gateway (the money never arrived; services/payments/reversal.ts). */
  'payment.reversed': entry(TOPICS.payments, paymentChange),
  /** A reversed payment whose parcel the courier already has: left for an operator to decide. */
  'payment.reversal_flagged': entry(
    TOPICS.payments,
    paymentChange.extend({ order_status: z.string().min(1), shipment_answer: z.string().nullable() }),
  ),
  'complaint.opened': entry(TOPICS.complaints, complaintChange),
  'complaint.state_changed': entry(TOPICS.complaints, complaintChange),
  'complaint.resolved': entry(TOPICS.complaints, complaintChange),
} as const satisfies Record<string, CatalogEntry>;

export type EventCatalog = typeof EVENT_CATALOG;
/** A type the catalog knows, e.g. `'order.paid'`. */
export type EventType = keyof EventCatalog;
/** An event's data as consumers receive it, e.g. `EventData<'order.paid'>`. */
export type EventData<K extends EventType> = z.output<EventCatalog[K]['schema']>;
/** What a producer may pass as an event's data. */
export type EventInput<K extends EventType> = z.input<EventCatalog[K]['schema']>;
/** A validated envelope of one type. */
export type TypedEvent<K extends EventType> = EventEnvelope<EventData<K>> & { type: K };
/** Any validated event: switch on `type` and TypeScript narrows `data`. */
export type CatalogEvent = { [K in EventType]: TypedEvent<K> }[EventType];

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOG, type);
}

/** The topics that carry the given types, once each (for a ConsumerSpec's `topics`). */
export function topicsFor(types: readonly EventType[]): TopicSpec[] {
  return [...new Set(types.map((t) => EVENT_CATALOG[t].topic))];
}

/** The envelope (platform/events.ts); `data` is checked by type afterwards. */
export const envelopeSchema = z.object({
  id: uuid,
  type: z.string().min(1),
  aggregate_id: z.string().min(1),
  aggregate_version: z.number().int().positive(),
  occurred_at: isoTime,
  version: z.literal(1),
  data: z.unknown(),
});

export type ParseResult =
  | { ok: true; event: CatalogEvent }
  /**
   * `type` is set once the envelope itself parsed, so a caller can tell "not for me" from "broken";
   * `unwanted` when the caller's `wanted` refused that type (its data was not read).
   */
  | { ok: false; error: string; type?: string; id?: string; unwanted?: true };

const describe = (err: z.ZodError, prefix: string) =>
  err.issues.map((i) => `${[prefix, ...i.path].filter((p) => p !== '').join('.')}: ${i.message}`).join('; ');

/** Checks an event's data against its type's schema; returns the problems, or null when it is valid. */
export function validateEventData(type: string, data: unknown): string | null {
  if (!isEventType(type)) return `type: "${type}" is not in the event catalog (platform/event-catalog.ts)`;
  const parsed = EVENT_CATALOG[type].schema.safeParse(data);
  return parsed.success ? null : describe(parsed.error, 'data');
}

/**
 * Validates an envelope (already JSON-parsed) and its data by type. Never throws. `wanted` (a
 * consumer's types): an envelope of another type is answered `unwanted` without validating its
 * data, which is most of the cost of a parse and would be thrown away.
 */
export function parseEvent(value: unknown, wanted?: (type: string) => boolean): ParseResult {
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return { ok: false, error: describe(envelope.error, '') };
  const { type, id } = envelope.data;
  if (wanted && !wanted(type)) return { ok: false, type, id, error: `type: "${type}" is not wanted`, unwanted: true };
  if (!isEventType(type))
    return { ok: false, type, id, error: `type: "${type}" is not in the event catalog (platform/event-catalog.ts)` };
  const data = EVENT_CATALOG[type].schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, type, id, error: describe(data.error, 'data') };
  return { ok: true, event: { ...envelope.data, type, data: data.data } as CatalogEvent };
}
