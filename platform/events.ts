/**
 * The envelope of every domain event on Kafka. `id` is stable across redeliveries (consumers
 * deduplicate on it); `aggregate_id` is also the Kafka message key, so one aggregate's events
 * stay in order on one partition.
 */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  aggregate_id: string;
  occurred_at: string;
  version: 1;
  data: T;
}
