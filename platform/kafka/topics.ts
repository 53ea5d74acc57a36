/**
 * Every Kafka topic Pasar uses, created by `npm run migrate`. One topic per aggregate kind; the
 * event's `type` (e.g. `order.paid`) travels in the envelope and the `event_type` header.
 *
 * What is ordered, and what a consumer must do:
 * - One aggregate's events on one topic (same Kafka key = the aggregate id, so one partition)
 *   arrive in the order their transactions committed, each with `aggregate_version` 1, 2, 3...
 *   (in the envelope and as a header). The outbox gives the order (platform/outbox/outbox.ts)
 *   and one relay at a time publishes it (platform/outbox/relay.ts). Nothing is ordered across
 *   aggregates, across topics (an order's `payment.*` and `order.*` events are two streams with
 *   their own versions), or across partitions.
 * - Delivery is at least once: a relay crash re-sends a batch, so an event can come again after
 *   later ones. A consumer keeps the last version it applied per key and drops an event whose
 *   version is not greater (it also dedupes on `id`). A jump past last + 1 means it missed
 *   events (e.g. it started mid-stream); events that carry state (`inventory.changed`'s absolute
 *   numbers) can be applied anyway, events that carry a step should be re-read from the owner.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Which events it carries, for readers. */
  carries: string;
}

export const TOPICS = {
  users: { name: 'pasar.users', partitions: 3, carries: 'user.registered, user.updated, user.status_changed' },
  products: { name: 'pasar.products', partitions: 3, carries: 'product.upserted' },
  inventory: { name: 'pasar.inventory', partitions: 6, carries: 'inventory.changed' },
  orders: { name: 'pasar.orders', partitions: 6, carries: 'order.created, order.paid, order.cancelled, order.*' },
  payments: { name: 'pasar.payments', partitions: 6, carries: 'payment.succeeded, payment.failed, payment.refunded, payment.reversed, payment.reversal_flagged' },
  shipments: { name: 'pasar.shipments', partitions: 3, carries: 'shipment.created, shipment.status_changed' },
  complaints: { name: 'pasar.complaints', partitions: 3, carries: 'complaint.opened, complaint.resolved' },
  /** Straight from the API, not the outbox: at most once, keyed by shopper (services/recommendations/view-publisher.ts). */
  views: { name: 'pasar.product-views', partitions: 6, carries: 'product.viewed' },
  deadLetter: { name: 'pasar.dead-letter', partitions: 1, carries: 'events a consumer gave up on, with the error' },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: TopicSpec[] = Object.values(TOPICS);
