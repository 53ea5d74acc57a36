/**
 * Publishes `product.viewed` straight to Kafka from the API, at most once. A view is worth far
 * less than a page: going through the outbox would write Postgres on every product read, so views
 * are buffered in memory (bounded) and sent in small batches by a background flush. Nothing here
 * is awaited by a request: when Kafka is slow or down a batch is dropped after `sendTimeoutMs`,
 * sending pauses for `pauseMs`, and views arriving meanwhile are counted as dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { TOPICS } from '../../platform/kafka/topics';
import type { Logger } from '../../platform/logger';

export interface ViewPublisherOptions {
  maxBuffered?: number;
  flushEveryMs?: number;
  sendTimeoutMs?: number;
  pauseMs?: number;
}

export interface ViewPublisher {
  /** Queues one view; never throws, never waits. */
  record(userId: string, productId: string): void;
  stats(): { sent: number; dropped: number; buffered: number };
  /** Sends what is buffered (bounded by the send timeout) and disconnects. */
  close(): Promise<void>;
}

function message(userId: string, productId: string, now: number): Message {
  const id = randomUUID();
  // Views are no aggregate's numbered history; the view time still only grows per shopper.
  const version = String(now);
  const event = {
    id,
    type: 'product.viewed',
    aggregate_id: userId,
    aggregate_version: now,
    occurred_at: new Date(now).toISOString(),
    version: 1,
    data: { user_id: userId, product_id: productId, viewed_at: new Date(now).toISOString() },
  };
  return {
    key: userId,
    value: JSON.stringify(event),
    headers: { event_id: id, event_type: 'product.viewed', aggregate_version: version },
  };
}

const timeout = (ms: number) =>
  new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer from Kafka in ${ms} ms`)), ms).unref(),
  );

export function createViewPublisher(kafka: Kafka, logger: Logger, opts: ViewPublisherOptions = {}): ViewPublisher {
  const { maxBuffered = 1000, flushEveryMs = 200, sendTimeoutMs = 2000, pauseMs = 5000 } = opts;
  let buffer: Message[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let producer: Producer | undefined;
  let pausedUntil = 0;
  let sent = 0;
  let dropped = 0;

  async function send(batch: Message[]) {
    if (!producer) {
      // One quick attempt: a view is not worth kafkajs's patient retries.
      const p = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
      await p.connect();
      producer = p;
    }
    await producer.send({ topic: TOPICS.views.name, acks: 1, timeout: sendTimeoutMs, messages: batch });
  }

  async function flush() {
    timer = undefined;
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    const attempt = send(batch);
    attempt.catch(() => undefined); // it may settle after the race below gave up on it
    try {
      await Promise.race([attempt, timeout(sendTimeoutMs)]);
      sent += batch.length;
    } catch (err) {
      dropped += batch.length;
      pausedUntil = Date.now() + pauseMs;
      const stale = producer;
      producer = undefined;
      void stale?.disconnect().catch(() => undefined);
      logger.warn({ err, dropped: batch.length, total_dropped: dropped }, 'product views dropped: Kafka unavailable');
    }
  }

  function schedule() {
    if (timer || inFlight) return;
    timer = setTimeout(() => {
      inFlight = flush().finally(() => {
        inFlight = undefined;
        if (buffer.length > 0) schedule();
      });
    }, flushEveryMs);
    timer.unref();
  }

  return {
    record(userId, productId) {
      const now = Date.now();
      if (now < pausedUntil || buffer.length >= maxBuffered) {
        dropped += 1;
        return;
      }
      buffer.push(message(userId, productId, now));
      schedule();
    },
    stats: () => ({ sent, dropped, buffered: buffer.length }),
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      await flush();
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
    },
  };
}
