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

/** One event of a batch, with where it came from. */
export interface ConsumedEvent<K extends EventType = EventType> {
  event: EventOf<K>;
  ctx: ConsumerContext;
}

/** How the runtime gathers events for `handleBatch`. */
export interface Batching {
  /**
   * After a batch, how long to wait before fetching the next, so that the events arriving meanwhile
   * come as one batch rather than one fetch and one handling each (default 0). An idle consumer is
   * not woken by it: the next fetch still answers as soon as one event arrives. It is the most an
   * event waits for it, so a consumer whose effect a shopper waits on keeps it short.
   */
  lingerMs?: number;
  /** Most events per handleBatch call (default 1000); a bigger fetch is handed over in slices. */
  maxEvents?: number;
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
  /**
   * Optional: applies several events at once (one insert, one bulk request, one query for all).
   * Gets the events of one fetch, every partition's, each partition's in offset order (so one
   * key's events in the order they were published), and must apply them as `handle` would one
   * after the other, idempotently too. If it throws, the runtime waits out a dependency outage and
   * tries the batch again; on any other error it hands the same events to `handle` one by one, each
   * with its retries and dead-lettering, so what the batch applied before failing is applied again.
   */
  handleBatch?(events: readonly ConsumedEvent<K>[]): Promise<void>;
  batching?: Batching;
  /** Event types this consumer acts on; others on its topics are acknowledged and skipped. */
  types: readonly K[];
  /**
   * Work that runs for as long as the consumer does (the notification sender): runConsumer starts
   * it and stops it, so building a spec elsewhere (the dead-letter replay) starts nothing.
   */
  background?: { start(): void; stop(): Promise<void> };
}
