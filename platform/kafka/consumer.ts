/**
 * Runs one ConsumerSpec on Kafka: its own consumer group (`pasar.<name>`), at least once, each
 * partition in offset order.
 *
 * - Batches (kafkajs `eachBatch`, offsets resolved by hand): what one fetch brought, every
 *   partition's, is handled together: by the spec's `handleBatch` when it has one (one insert, one
 *   bulk request for the lot), else event by event through `handle`. Offsets are resolved only
 *   for events finished, and committed after the batch's work, so a crash re-delivers what was not
 *   finished (handlers are idempotent, see ConsumerSpec) and a graceful stop loses nothing.
 * - `batching.lingerMs`: after a batch the next fetch waits that long, so events arriving
 *   meanwhile come as one batch (one fetch, one commit, one handling) instead of one each.
 * - A batch whose handleBatch fails: a dependency outage is waited out and the batch tried again;
 *   any other error hands its events to `handle` one by one, so one poisoned event is retried and
 *   parked alone and the rest are handled.
 * - A message that is not a valid catalog event, or whose handler failed every attempt, is
 *   parked on `pasar.dead-letter` (dead-letter.ts) and the partition moves on. If the parking
 *   itself fails, the batch throws and the message is delivered again: nothing is dropped.
 * - Reconnects: kafkajs retries and restarts the group on retriable errors; a crash it will not
 *   restart from (or a failed first connect) is restarted here with capped backoff, for as long
 *   as the consumer runs, so the process heals when Kafka comes back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from '../logger';
import { inConsumerBatchSpans, inConsumerSpan } from '../telemetry/consumer-span';
import type { Batching, ConsumerContext, ConsumerSpec } from './consumer-spec';
import { DEAD_LETTER_TOPIC, headersToStrings, publishDeadLetter, toDeadLetter } from './dead-letter';
import {
  ConsumerStoppingError,
  decode,
  DEFAULT_RETRY,
  deliverDecoded,
  throughOutages,
  type Decoded,
  type RetryPolicy,
} from './delivery';

export type ConsumerState = 'starting' | 'running' | 'reconnecting' | 'stopped';

export interface RunConsumerOptions {
  logger: Logger;
  /** Default `pasar.<name>`; tests pass a unique one so parallel tests do not share a group. */
  groupId?: string;
  retry?: Partial<RetryPolicy>;
  /** Where a new group starts: true (default) reads everything retained, so no event is missed. */
  fromBeginning?: boolean;
  deadLetterTopic?: string;
  /** Longest wait between two restarts after a crash (default 30 s). */
  maxRestartDelayMs?: number;
  /** kafkajs's own retries before the group crashes (tests shorten them to reach a restart sooner). */
  kafkaRetry?: { retries: number; initialRetryTime: number; maxRetryTime: number };
  /** Overrides the spec's own batching (the benches drain a backlog without lingering). */
  batching?: Batching;
}

export interface ConsumerStats {
  handled: number;
  skipped: number;
  deadLettered: number;
}

export interface RunningConsumer {
  name: string;
  groupId: string;
  state(): ConsumerState;
  stats(): ConsumerStats;
  /** Finishes the batch in hand (or the event in hand, when going one by one), commits, leaves the group and disconnects. */
  stop(): Promise<void>;
}

/** Waits `ms` in steps, cut short as soon as `going` says no (a stop does not wait out a linger). */
async function linger(ms: number, going: () => boolean) {
  for (let left = ms; left > 0 && going(); left -= 100) await sleep(Math.min(left, 100));
}

/** Group id of a consumer: what `npm run consumers:lag` and the dead-letter entries show. */
export const groupIdOf = (name: string) => `pasar.${name}`;

/** Starts consuming in the background and returns at once; Kafka being down is retried, not thrown. */
export function runConsumer(kafka: Kafka, spec: ConsumerSpec, options: RunConsumerOptions): RunningConsumer {
  const groupId = options.groupId ?? groupIdOf(spec.name);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const dlqTopic = options.deadLetterTopic ?? DEAD_LETTER_TOPIC;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
  const logger = options.logger.child({ consumer: spec.name, group_id: groupId });
  const stats: ConsumerStats = { handled: 0, skipped: 0, deadLettered: 0 };
  const batching = {
    lingerMs: options.batching?.lingerMs ?? spec.batching?.lingerMs ?? 0,
    maxEvents: Math.max(1, options.batching?.maxEvents ?? spec.batching?.maxEvents ?? 1000),
  };
  const partitions = Math.max(
    1,
    spec.topics.reduce((n, t) => n + t.partitions, 0),
  );
  let state: ConsumerState = 'starting';
  let running = true;
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> = Promise.resolve();

  async function start() {
    const c = kafka.consumer({
      groupId,
      // kafkajs restarts the group itself after a retriable crash; say yes while we run.
      retry: {
        ...(options.kafkaRetry ?? { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 }),
        restartOnFailure: async () => running,
      },
    });
    consumer = c;
    c.on(c.events.GROUP_JOIN, () => {
      state = 'running';
      restarts = 0;
      logger.info('consumer joined its group');
    });
    c.on(c.events.CRASH, ({ payload }) => {
      state = 'reconnecting';
      logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (!payload.restart) scheduleRestart();
    });
    const p = kafka.producer({ allowAutoTopicCreation: false });
    producer = p;
    await p.connect();
    await c.connect();
    await c.subscribe({ topics: spec.topics.map((t) => t.name), fromBeginning: options.fromBeginning ?? true });
    const gather = gatherer(p);
    await c.run({
      eachBatchAutoResolve: false,
      // With handleBatch, every partition of a fetch is in hand at once, so they make one batch.
      partitionsConsumedConcurrently: spec.handleBatch ? partitions : 1,
      eachBatch: gather,
    });
  }

  interface Entry {
    message: KafkaMessage;
    ctx: ConsumerContext;
    decoded: Decoded;
    done: boolean;
  }

  interface Part {
    payload: EachBatchPayload;
    entries: Entry[];
  }

  /**
   * kafkajs calls eachBatch once per partition of a fetch, all at once (partitionsConsumedConcurrently);
   * each call decodes its messages and joins the flush scheduled for the end of this turn of the
   * event loop, which handles every partition's together and resolves each call when done.
   */
  function gatherer(p: Producer) {
    let pending: { part: Part; resolve: () => void; reject: (err: unknown) => void }[] = [];
    return (payload: EachBatchPayload) =>
      new Promise<void>((resolve, reject) => {
        const { topic, partition, messages } = payload.batch;
        const entries = messages.map((message) => {
          const ctx = { topic, partition, offset: message.offset, headers: headersToStrings(message.headers) };
          return { message, ctx, decoded: decode(spec, message.value), done: false };
        });
        pending.push({ part: { payload, entries }, resolve, reject });
        if (pending.length > 1) return;
        setImmediate(() => {
          const taken = pending;
          pending = [];
          flush(
            taken.map((t) => t.part),
            p,
          ).then(
            () => taken.forEach((t) => t.resolve()),
            (err: unknown) => taken.forEach((t) => t.reject(err)),
          );
        });
      });
  }

  /** Handles the parts' events in slices of `maxEvents`, resolving each partition's offsets as they finish; commits; lingers. */
  async function flush(parts: Part[], p: Producer) {
    const live = parts.filter((part) => !part.payload.isStale());
    const all = live.flatMap((part) => part.entries);
    const going = () => running && live.every((part) => part.payload.isRunning());
    for (let from = 0; from < all.length && going(); from += batching.maxEvents) {
      const slice = all.slice(from, from + batching.maxEvents);
      const finished = await handleSlice(slice, p, live[0]!.payload.heartbeat);
      for (const entry of slice.slice(0, finished)) entry.done = true;
      for (const part of live) {
        let last: Entry | undefined;
        for (const e of part.entries) if (e.done) last = e;
        if (last) part.payload.resolveOffset(last.message.offset);
      }
      if (finished < slice.length) break;
      await live[0]!.payload.heartbeat().catch(() => undefined);
    }
    const first = parts[0]!.payload;
    // One commit for the lot (kafkajs's own after each partition then finds nothing left to send).
    await first
      .commitOffsetsIfNecessary(first.uncommittedOffsets())
      .catch((err: unknown) => logger.warn({ err }, 'offset commit failed; kafkajs commits again after the batch'));
    if (batching.lingerMs > 0) await linger(batching.lingerMs, going);
  }

  /** How many of the slice's entries (a prefix) are finished: all, unless the consumer is stopping. */
  async function handleSlice(slice: Entry[], p: Producer, heartbeat: () => Promise<void>): Promise<number> {
    const events = slice.filter((e): e is Entry & { decoded: { kind: 'event' } } => e.decoded.kind === 'event');
    if (spec.handleBatch && events.length > 0) {
      let handled = false;
      try {
        const batch = events.map((e) => ({ event: e.decoded.event, ctx: e.ctx }));
        const traced = events.map((e) => ({ consumer: spec.name, ...e.ctx }));
        const handleBatch = spec.handleBatch.bind(spec);
        await throughOutages(
          `${spec.name} batch of ${events.length}`,
          () => inConsumerBatchSpans(spec.name, traced, () => handleBatch(batch)),
          { logger, retry, running: () => running, heartbeat },
        );
        handled = true;
      } catch (err) {
        if (err instanceof ConsumerStoppingError) return 0;
        logger.warn({ err, events: events.length }, 'batch handler failed; handling its events one by one');
      }
      if (handled) {
        for (const entry of slice) {
          if (entry.decoded.kind === 'event') stats.handled++;
          else await finish(entry, p, heartbeat);
        }
        return slice.length;
      }
    }
    for (let i = 0; i < slice.length; i++) {
      if (!running) return i;
      try {
        await finish(slice[i]!, p, heartbeat);
      } catch (err) {
        if (err instanceof ConsumerStoppingError) return i;
        throw err;
      }
    }
    return slice.length;
  }

  /** One entry through `handle`, in its own span, or parked; a type the consumer does not act on is only counted. */
  async function finish(entry: Entry, p: Producer, heartbeat: () => Promise<void>) {
    const { ctx, message } = entry;
    if (entry.decoded.kind === 'skip') {
      stats.skipped++;
      return;
    }
    const outcome = await inConsumerSpan({ consumer: spec.name, ...ctx }, () =>
      deliverDecoded(spec, entry.decoded, ctx, { logger, retry, running: () => running, heartbeat }),
    );
    if (outcome.kind === 'handled') stats.handled++;
    else if (outcome.kind === 'skipped') stats.skipped++;
    else {
      const { topic, partition } = ctx;
      const dead = toDeadLetter({ consumer: spec.name, groupId, topic, partition, message, ...outcome });
      await publishDeadLetter(p, dead, dlqTopic);
      stats.deadLettered++;
      logger.error(
        { dlq_id: dead.id, reason: dead.reason, attempts: dead.attempts, error: dead.error.message, ...ctx },
        'event parked on the dead-letter topic',
      );
    }
  }

  async function teardown() {
    const [c, p] = [consumer, producer];
    consumer = producer = undefined;
    await c?.disconnect().catch((err) => logger.warn({ err }, 'consumer disconnect failed'));
    await p?.disconnect().catch(() => undefined);
  }

  function scheduleRestart() {
    if (!running || restartTimer) return;
    const delay = Math.min(1000 * 2 ** restarts++, maxRestartDelayMs);
    state = 'reconnecting';
    logger.warn({ delay_ms: delay }, 'restarting the consumer');
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      cycle = cycle.then(async () => {
        await teardown();
        if (running) await start().catch(onStartFailure);
      });
    }, delay);
  }

  function onStartFailure(err: unknown) {
    logger.error({ err }, 'consumer could not start');
    scheduleRestart();
  }

  cycle = start().catch(onStartFailure);
  spec.background?.start();

  return {
    name: spec.name,
    groupId,
    state: () => state,
    stats: () => ({ ...stats }),
    async stop() {
      running = false;
      clearTimeout(restartTimer);
      // A start stuck connecting to a Kafka that is down is not waited for: teardown ends it.
      await Promise.race([cycle, sleep(5000, undefined, { ref: false })]);
      await teardown();
      await spec.background?.stop();
      state = 'stopped';
      logger.info(stats, 'consumer stopped');
    },
  };
}
