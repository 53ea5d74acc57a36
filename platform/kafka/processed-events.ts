/**
 * A processed-events record per consumer in Redis (`consumed:{consumer}:{event_id}`), for
 * consumers whose writes are not idempotent by themselves (counters, "add to a sorted set"):
 * `once` skips an event id it has seen and records it after the work succeeds.
 *
 * What it guarantees: a redelivered or replayed event whose first run completed is skipped. What
 * it does not: a crash between the work and the record re-runs the work once, so that work must
 * tolerate one repeat, or use a record written in the same transaction as the effect (a Postgres
 * table beside the data) instead. The record lives `ttlSeconds` (default 8 days, above Kafka's
 * 7-day retention, so no redelivery can outlive it).
 */
import type { Redis } from 'ioredis';

export const processedKey = (consumer: string, eventId: string) => `consumed:${consumer}:${eventId}`;

export interface ProcessedEvents {
  /** Whether this consumer already completed this event. */
  has(consumer: string, eventId: string): Promise<boolean>;
  /** Records that this consumer completed this event. */
  mark(consumer: string, eventId: string): Promise<void>;
  /** Runs `work` unless the event was completed before; returns whether it ran. */
  once(consumer: string, eventId: string, work: () => Promise<void>): Promise<boolean>;
}

export function createProcessedEvents(redis: Redis, ttlSeconds = 8 * 24 * 3600): ProcessedEvents {
  const has = async (consumer: string, eventId: string) => (await redis.exists(processedKey(consumer, eventId))) === 1;
  const mark = async (consumer: string, eventId: string) => {
    await redis.set(processedKey(consumer, eventId), new Date().toISOString(), 'EX', ttlSeconds);
  };
  return {
    has,
    mark,
    async once(consumer, eventId, work) {
      if (await has(consumer, eventId)) return false;
      await work();
      await mark(consumer, eventId);
      return true;
    },
  };
}
