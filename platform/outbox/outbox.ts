/**
 * Transactional outbox: an event is written in the same Postgres transaction as the change it
 * describes, so it exists if and only if the change committed. The relay publishes it later.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import type { EventEnvelope } from '../events';
import type { TopicSpec } from '../kafka/topics';

type Tx = Pick<Prisma.TransactionClient, 'outboxEvent'>;

export interface NewEvent<T> {
  topic: TopicSpec;
  type: string;
  aggregateId: string;
  data: T;
  /** A caller-chosen stable id makes a retried write idempotent; random otherwise. */
  id?: string;
}

/** Records an event inside the caller's transaction; returns its envelope. */
export async function enqueueEvent<T>(tx: Tx, event: NewEvent<T>): Promise<EventEnvelope<T>> {
  const envelope: EventEnvelope<T> = {
    id: event.id ?? randomUUID(),
    type: event.type,
    aggregate_id: event.aggregateId,
    occurred_at: new Date().toISOString(),
    version: 1,
    data: event.data,
  };
  await tx.outboxEvent.create({
    data: {
      id: envelope.id,
      topic: event.topic.name,
      key: event.aggregateId,
      type: event.type,
      payload: envelope as unknown as Prisma.InputJsonValue,
    },
  });
  return envelope;
}
