/**
 * Every Kafka topic Pasar uses, created by `npm run migrate`. One topic per aggregate, keyed
 * by the aggregate's id, so all events of one order (created, paid, cancelled...) stay in order.
 * The event's `type` (e.g. `order.paid`) travels in the envelope.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Which events it carries, for readers. */
  carries: string;
}

export const TOPICS = {
  users: { name: 'pasar.users', partitions: 3, carries: 'user.registered, user.updated' },
  products: { name: 'pasar.products', partitions: 3, carries: 'product.upserted' },
  inventory: { name: 'pasar.inventory', partitions: 6, carries: 'inventory.changed' },
  orders: { name: 'pasar.orders', partitions: 6, carries: 'order.created, order.paid, order.cancelled, order.*' },
  payments: { name: 'pasar.payments', partitions: 6, carries: 'payment.succeeded, payment.failed, payment.refunded' },
  shipments: { name: 'pasar.shipments', partitions: 3, carries: 'shipment.created, shipment.status_changed' },
  complaints: { name: 'pasar.complaints', partitions: 3, carries: 'complaint.opened, complaint.resolved' },
  deadLetter: { name: 'pasar.dead-letter', partitions: 1, carries: 'events a consumer gave up on, with the error' },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: TopicSpec[] = Object.values(TOPICS);
