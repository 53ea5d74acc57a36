/**
 * Transactional outbox: an event is written in the same Postgres transaction as the change it
 * describes, so it exists if and only if the change committed. The relay publishes it later.
 *
 * Each event gets its aggregate's next version (the aggregate is the topic plus the key), and
 * the row gets a sequence number that the relay publishes in. Why per aggregate the sequence
 * follows commit order, so the relay can never publish version n+1 before version n:
 * - the version is bumped first, with INSERT ... ON CONFLICT DO UPDATE on the aggregate's row in
 *   outbox.aggregate_versions; that row stays locked until the caller's transaction ends, so two
 *   writers of one aggregate queue there (the second also waits if the first row is being
 *   inserted concurrently) and the second reads the first's committed version;
 * - the outbox row is inserted after that, and only then takes its sequence (the column default,
 *   nextval, is evaluated at insert time). The second writer's nextval therefore runs after the
 *   first writer committed, so it is larger, and by the time its row is visible the first's is;
 * - a rolled-back writer takes its version with it (the next writer reuses the number, so
 *   versions have no gaps); its sequence number is lost (nextval is not transactional), which is
 *   harmless because the relay orders by sequence and never counts on it being contiguous.
 * This holds at READ COMMITTED, the callers' isolation level; at REPEATABLE READ the second writer
 * would get a serialization failure instead and retry. Writers of different aggregates never
 * wait for each other here.
 *
 * Every event's data is checked against the event catalog (platform/event-catalog.ts) before it
 * is written: a producer bug throws and rolls back the producer's own transaction, loudly, in its
 * tests, instead of reaching consumers that would park it on the dead-letter topic.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import { validateEventData, type EventInput, type EventType } from '../event-catalog';
import type { EventEnvelope } from '../events';
import type { TopicSpec } from '../kafka/topics';
import { traceparentOf } from '../telemetry/trace-context';

type Tx = Pick<Prisma.TransactionClient, '$queryRaw' | '$executeRaw'>;

/** A catalog type's data is typed at compile time; a type only known at run time is checked then. */
type DataOf<K extends string> = K extends EventType ? EventInput<K> : unknown;

export interface NewEvent<K extends string> {
  topic: TopicSpec;
  type: K;
  aggregateId: string;
  data: DataOf<K>;
  /** A caller-chosen stable id makes a retried write idempotent; random otherwise. */
  id?: string;
}

/** Takes the aggregate's next version and holds its row lock until the caller's transaction ends. */
async function nextVersion(tx: Tx, topic: string, aggregateId: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ version: bigint }[]>`
    INSERT INTO outbox.aggregate_versions (aggregate_type, aggregate_id, version)
    VALUES (${topic}, ${aggregateId}, 1)
    ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET version = aggregate_versions.version + 1
    RETURNING version`;
  return Number(row!.version);
}

/** Thrown when a producer's event is not what the catalog says: a bug in the producer. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** Records an event inside the caller's transaction; returns its envelope. */
export async function enqueueEvent<K extends string>(tx: Tx, event: NewEvent<K>): Promise<EventEnvelope<DataOf<K>>> {
  const problems = validateEventData(event.type, event.data);
  if (problems) throw new InvalidEventError(`${event.type} event for ${event.aggregateId} is invalid: ${problems}`);
  const aggregateVersion = await nextVersion(tx, event.topic.name, event.aggregateId);
  const envelope: EventEnvelope<DataOf<K>> = {
    id: event.id ?? randomUUID(),
    type: event.type,
    aggregate_id: event.aggregateId,
    aggregate_version: aggregateVersion,
    occurred_at: new Date().toISOString(),
    version: 1,
    data: event.data,
  };
  // `sequence` is left to its default on purpose: it must be taken after the version lock above.
  // The writer's trace (an HTTP request, an activity) goes with the row: the relay continues it.
  await tx.$executeRaw`
    INSERT INTO outbox.events (id, topic, key, type, payload, aggregate_version, traceparent)
    VALUES (${envelope.id}::uuid, ${event.topic.name}, ${event.aggregateId}, ${event.type},
            ${JSON.stringify(envelope)}::jsonb, ${aggregateVersion}, ${traceparentOf() ?? null})`;
  return envelope;
}
