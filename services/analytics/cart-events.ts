/**
 * Publishes `cart.item_added` straight to Kafka (the product-views topic), at most once, for the
 * dashboard's funnel. A cart add is a Redis write; putting an outbox row in Postgres beside each
 * one would make the cart depend on Postgres for a statistic. So, as with product views: only a
 * product's first add to a cart is sent (raising a line's quantity is not a new step of the
 * funnel), buffered (bounded) and sent in batches by a background flush that never delays the
 * request; when Kafka is slow or down a batch is dropped and logged. The funnel counts distinct
 * shoppers, so a lost event costs little: the same shopper's next first add or checkout shows up.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { createStatisticsPublisher } from '../../platform/kafka/statistics-publisher';
import { TOPICS } from '../../platform/kafka/topics';
import type { Logger } from '../../platform/logger';

export type CartItemAdded = (userId: string, productId: string, quantity: number) => void;

function message(userId: string, productId: string, quantity: number, now: number): Message {
  const id = randomUUID();
  const at = new Date(now).toISOString();
  const event = {
    id,
    type: 'cart.item_added',
    aggregate_id: userId,
    aggregate_version: now, // no numbered history: the add time only grows per shopper
    occurred_at: at,
    version: 1,
    data: { user_id: userId, product_id: productId, quantity, added_at: at },
  };
  return { key: userId, value: JSON.stringify(event), headers: { event_id: id, event_type: 'cart.item_added' } };
}

export function createCartEventPublisher(kafka: Kafka, logger: Logger, maxBuffered = 1000, flushEveryMs = 200) {
  const publisher = createStatisticsPublisher(kafka, logger, {
    topic: TOPICS.views.name,
    what: 'cart events',
    maxBuffered,
    flushEveryMs,
  });
  const record: CartItemAdded = (userId, productId, quantity) =>
    publisher.send(message(userId, productId, quantity, Date.now()));
  return { record, stats: publisher.stats, close: publisher.close };
}
