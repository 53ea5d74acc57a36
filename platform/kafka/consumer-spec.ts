/**
 * What a Kafka consumer of Pasar's domain events declares; the runtime in
 * platform/kafka/consumer.ts runs it (one consumer group each, at least once, retries with
 * backoff, then the dead-letter topic). Search, recommendations, notifications and analytics
 * are each one ConsumerSpec.
 */
import type { EventType, TypedEvent } from '../event-catalog';
import type { TopicSpec } from './topics';

/** One validated event of the types `K`: switch on `type` and TypeScript narrows `data`. */
export type EventOf<K extends EventType> = { [T in K]: TypedEvent<T> }[K];

export interface ConsumerContext {
  topic: string;
  partition: number;
  offset: string;
  /** The Kafka headers as strings (event_type, aggregate_version, trace context...). */
  headers: Record<string, string>;
}

export interface ConsumerSpec<K extends EventType = EventType> {
  /** Names the consumer group (`pasar.<name>`), its dead-letter entries and its lag lines. */
  name: string;
  topics: TopicSpec[];
  /**
   * Applies one event, already validated against the event catalog. Must be idempotent: the same
   * event can come again (redelivery, replay from the dead-letter topic). Throwing retries it with
   * backoff, then parks it on the dead-letter topic and the partition moves on.
   */
  handle(event: EventOf<K>, ctx: ConsumerContext): Promise<void>;
  /** Event types this consumer acts on; others on its topics are acknowledged and skipped. */
  types: readonly K[];
  /**
   * Work that runs for as long as the consumer does (the notification sender): runConsumer starts
   * it and stops it, so building a spec elsewhere (the dead-letter replay) starts nothing.
   */
  background?: { start(): void; stop(): Promise<void> };
}
