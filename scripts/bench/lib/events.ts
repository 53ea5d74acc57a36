/** A domain event as the benches feed it to a consumer: version 1 of its own aggregate, stamped now. */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../../platform/events';

export const benchEvent = <T>(type: string, aggregateId: string, data: T, occurredAt = new Date().toISOString()) =>
  ({
    id: randomUUID(),
    type,
    aggregate_id: aggregateId,
    aggregate_version: 1,
    occurred_at: occurredAt,
    version: 1,
    data,
  }) satisfies EventEnvelope<T>;
