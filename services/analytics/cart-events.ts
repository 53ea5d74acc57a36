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
import type { Kafka, Message, Producer } from 'kafkajs';
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
  let buffer: Message[] = [];
  let timer: NodeJS.Timeout | undefined;
  let producer: Producer | undefined;
  let chain: Promise<void> = Promise.resolve(); // one flush at a time, so one producer
  let dropped = 0;

  async function flush() {
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    try {
      if (!producer) {
        // One quick attempt: a funnel statistic is not worth kafkajs's patient retries.
        const p = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
        await p.connect();
        producer = p;
      }
      await producer.send({ topic: TOPICS.views.name, acks: 1, timeout: 2000, messages: batch });
    } catch (err) {
      dropped += batch.length;
      void producer?.disconnect().catch(() => undefined);
      producer = undefined;
      logger.warn({ err, dropped: batch.length, total_dropped: dropped }, 'cart events dropped: Kafka unavailable');
    }
  }

  const record: CartItemAdded = (userId, productId, quantity) => {
    if (buffer.length >= maxBuffered) {
      dropped += 1;
      return;
    }
    buffer.push(message(userId, productId, quantity, Date.now()));
    timer ??= setTimeout(() => {
      timer = undefined;
      chain = chain.then(flush);
    }, flushEveryMs).unref();
  };
  return {
    record,
    stats: () => ({ dropped, buffered: buffer.length }),
    /** Sends what is buffered and disconnects (on shutdown). */
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await (chain = chain.then(flush));
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
    },
  };
}
