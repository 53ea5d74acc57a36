/** Domain events as the benches feed them to a consumer. */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../../platform/events';

/** An event as version 1 of its own aggregate, stamped now. */
export const benchEvent = <T>(type: string, aggregateId: string, data: T, occurredAt = new Date().toISOString()) =>
  ({
    id: randomUUID(),
    type,
    aggregate_id: aggregateId,
    aggregate_version: 1,
    occurred_at: occurredAt,
    version: 1,
    data,
  }) satisfies EventEnvelope<T>;

/** A valid `product.upserted` for a made-up product (the runtime validates every event against the event catalog). */
export function productUpserted(sku: string, name: string) {
  const id = randomUUID();
  const now = new Date().toISOString();
  const data = {
    id,
    sku,
    name,
    description: '',
    price: '25000.00',
    category: 'groceries',
    status: 'active',
    weight_grams: 250,
    available: 10,
    in_stock: true,
    created_at: now,
    updated_at: now,
  };
  return benchEvent('product.upserted', id, data, now);
}
