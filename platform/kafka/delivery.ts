/**
 * One message through one consumer: decode and validate it against the event catalog, skip types
 * the consumer does not act on, run its handler with retries and backoff, and say what to do
 * next (done, or park it on the dead-letter topic and why). The runtime (consumer.ts) and the
 * dead-letter replay (dead-letter-replay.ts) share it, so a replayed event takes the same path.
 *
 * Three kinds of handler failure:
 * - a dependency outage (Elasticsearch, Redis, Postgres... unreachable): not the event's fault,
 *   so the runtime waits it out, retrying with capped backoff for as long as it runs, and never
 *   parks the event (an outage must not fill the dead-letter topic with good events);
 * - `PermanentEventError`: the handler says no retry can help; parked at once;
 * - anything else: retried `maxAttempts` times with exponential backoff, then parked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { dependencyOf } from '../dependency-errors';
import { parseEvent, type CatalogEvent } from '../event-catalog';
import type { Logger } from '../logger';
import type { ConsumerContext, ConsumerSpec } from './consumer-spec';
import type { DeadLetterReason } from './dead-letter';

export interface RetryPolicy {
  /** Handler runs before an event is parked. */
  maxAttempts: number;
  /** Delay before the second run, doubled each time, capped at maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 250, maxDelayMs: 5000 };
/** The longest pause between two tries while a dependency is down. */
const OUTAGE_MAX_DELAY_MS = 30_000;

/** Thrown by a handler when retrying cannot help (e.g. the event contradicts the consumer's data). */
export class PermanentEventError extends Error {
  override name = 'PermanentEventError';
}

/** Thrown out of the runtime when it stops while waiting out an outage: the offset is not committed. */
export class ConsumerStoppingError extends Error {
  override name = 'ConsumerStoppingError';
}

const CONNECTION_ERROR_NAMES = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/** Whether an error means "a dependency is down" rather than "this event is bad". */
export function isDependencyOutage(err: unknown): boolean {
  if (dependencyOf(err) !== undefined) return true;
  const e = err as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  return CONNECTION_ERROR_NAMES.has(e?.name ?? '') || CONNECTION_ERROR_CODES.has(e?.code ?? e?.cause?.code ?? '');
}

export type Decoded =
  | { kind: 'event'; event: CatalogEvent }
  | { kind: 'skip'; type: string }
  | { kind: 'invalid'; error: Error; eventId?: string; eventType?: string };

/**
 * Parses a message value; a type this consumer does not act on is a skip, even if its data is bad
 * (its data is not even validated: most of a consumer's topics' events are other consumers' types).
 */
export function decode(spec: ConsumerSpec, value: Buffer | null): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch (err) {
    return { kind: 'invalid', error: new Error(`not JSON: ${(err as Error).message}`) };
  }
  const types = spec.types as readonly string[];
  const parsed = parseEvent(json, (type) => types.includes(type));
  if (parsed.ok) return { kind: 'event', event: parsed.event };
  if (parsed.unwanted) return { kind: 'skip', type: parsed.type! };
  return { kind: 'invalid', error: new Error(parsed.error), eventId: parsed.id, eventType: parsed.type };
}

export type Outcome =
  | { kind: 'handled'; attempts: number }
  | { kind: 'skipped'; type: string }
  | { kind: 'park'; reason: DeadLetterReason; error: unknown; attempts: number; eventId?: string; eventType?: string };

export interface DeliverOptions {
  logger: Logger;
  retry: RetryPolicy;
  /** While this says false, a dependency outage is waited out; when it says true, delivery gives up unfinished. */
  running?: () => boolean;
  /** Called between tries, so the group does not think a waiting consumer died. */
  heartbeat?: () => Promise<void>;
}

const backoff = (retry: RetryPolicy, attempt: number, cap: number) =>
  Math.min(retry.initialDelayMs * 2 ** (attempt - 1), cap);

/** Sleeps `ms`, cut short when the consumer stops, so a long outage wait does not delay shutdown. */
async function pause(ms: number, running?: () => boolean) {
  for (let left = ms; left > 0 && (running?.() ?? true); left -= 250) await sleep(Math.min(left, 250));
}

/** Delivers one message to one consumer; never throws, except ConsumerStoppingError. */
export async function deliver(
  spec: ConsumerSpec,
  value: Buffer | null,
  ctx: ConsumerContext,
  opts: DeliverOptions,
): Promise<Outcome> {
  return deliverDecoded(spec, decode(spec, value), ctx, opts);
}

/** `deliver` for a message already decoded (the batch runtime decodes a whole batch first). */
export async function deliverDecoded(
  spec: ConsumerSpec,
  decoded: Decoded,
  ctx: ConsumerContext,
  opts: DeliverOptions,
): Promise<Outcome> {
  if (decoded.kind === 'skip') return { kind: 'skipped', type: decoded.type };
  if (decoded.kind === 'invalid') {
    const { error, eventId, eventType } = decoded;
    return { kind: 'park', reason: 'invalid_event', attempts: 0, error, eventId, eventType };
  }
  const { event } = decoded;
  // Built on the first failure only: a child logger per event is work the happy path never reads.
  const log = () => opts.logger.child({ consumer: spec.name, event_id: event.id, event_type: event.type, ...ctx });
  let failures = 0; // counts toward maxAttempts; outage waits do not
  for (let tries = 1; ; tries++) {
    try {
      await spec.handle(event, ctx);
      return { kind: 'handled', attempts: tries };
    } catch (err) {
      const park = { kind: 'park', reason: 'handler_failed', error: err, eventId: event.id, eventType: event.type };
      const outage = opts.running !== undefined && isDependencyOutage(err);
      if (!outage) failures++;
      if (err instanceof PermanentEventError || failures >= opts.retry.maxAttempts)
        return { ...park, attempts: tries } as Outcome;
      if (outage && !opts.running!()) throw new ConsumerStoppingError(`${spec.name} stopped while ${event.id} waited`);
      const delay = backoff(
        opts.retry,
        outage ? tries : failures,
        outage ? OUTAGE_MAX_DELAY_MS : opts.retry.maxDelayMs,
      );
      log()[outage ? 'error' : 'warn']({ err, tries, delay_ms: delay, outage }, 'event handler failed; retrying');
      await pause(delay, opts.running);
      await opts.heartbeat?.().catch(() => undefined);
    }
  }
}

/**
 * Runs `work` (a whole batch's) until it succeeds, waiting out a dependency outage the way
 * `deliverDecoded` does for one event: capped backoff, heartbeats between tries, for as long as the
 * consumer runs. Any other error is thrown at once (the runtime then takes the batch's events one
 * by one, each with its own retries). Throws ConsumerStoppingError if the consumer stops while it
 * waits, the work undone.
 */
export async function throughOutages(
  what: string,
  work: () => Promise<void>,
  opts: DeliverOptions & { running: () => boolean },
): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await work();
      return;
    } catch (err) {
      if (!isDependencyOutage(err)) throw err;
      if (!opts.running()) throw new ConsumerStoppingError(`stopped while ${what} waited`);
      const delay = backoff(opts.retry, tries, OUTAGE_MAX_DELAY_MS);
      opts.logger.error({ err, tries, delay_ms: delay, outage: true }, `${what} failed; retrying`);
      await pause(delay, opts.running);
      await opts.heartbeat?.().catch(() => undefined);
      if (!opts.running()) throw new ConsumerStoppingError(`stopped while ${what} waited`);
    }
  }
}
