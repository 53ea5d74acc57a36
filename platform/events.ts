/**
 * The envelope of every domain event on Kafka. `id` is stable across redeliveries (consumers
 * deduplicate on it); `aggregate_id` is also the Kafka message key, so one aggregate's events
 * stay in order on one partition; `aggregate_version` counts that aggregate's events on its topic
 * (1, 2, 3... with no gaps), so a consumer drops any event whose version it has already passed.
 */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  aggregate_id: string;
  aggregate_version: number;
  occurred_at: string;
  version: 1;
  data: T;
}
