/**
 * Runs one ConsumerSpec on Kafka: its own consumer group (`pasar.<name>`), one message at a time
 * per partition (`eachMessage`), at least once.
 *
 * - Commit after success: kafkajs resolves a message's offset only when eachMessage returns, and
 *   commits resolved offsets after each batch and on stop, so a crash re-delivers what was not
 *   finished (handlers are idempotent, see ConsumerSpec) and a graceful stop loses nothing.
 * - A message that is not a valid catalog event, or whose handler failed every attempt, is
 *   parked on `pasar.dead-letter` (dead-letter.ts) and the partition moves on. If the parking
 *   itself fails, eachMessage throws and the message is delivered again: nothing is dropped.
 * - Reconnects: kafkajs retries and restarts the group on retriable errors; a crash it will not
 *   restart from (or a failed first connect) is restarted here with capped backoff, for as long
 *   as the consumer runs, so the process heals when Kafka comes back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from '../logger';
import { inConsumerSpan } from '../telemetry/consumer-span';
import type { ConsumerSpec } from './consumer-spec';
import { DEAD_LETTER_TOPIC, headersToStrings, publishDeadLetter, toDeadLetter } from './dead-letter';
import { DEFAULT_RETRY, deliver, type RetryPolicy } from './delivery';

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
  /** Finishes the message in hand, commits, leaves the group and disconnects. */
  stop(): Promise<void>;
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
    await c.run({
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const ctx = { topic, partition, offset: message.offset, headers: headersToStrings(message.headers) };
        await inConsumerSpan({ consumer: spec.name, ...ctx }, () =>
          handleMessage(topic, partition, message, heartbeat, ctx, p),
        );
      },
    });
  }

  async function handleMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    ctx: { topic: string; partition: number; offset: string; headers: Record<string, string> },
    p: Producer,
  ) {
    const outcome = await deliver(spec, message.value, ctx, {
      logger,
      retry,
      running: () => running,
      heartbeat,
    });
    if (outcome.kind === 'handled') stats.handled++;
    else if (outcome.kind === 'skipped') stats.skipped++;
    else {
      const entry = toDeadLetter({ consumer: spec.name, groupId, topic, partition, message, ...outcome });
      await publishDeadLetter(p, entry, dlqTopic);
      stats.deadLettered++;
      logger.error(
        { dlq_id: entry.id, reason: entry.reason, attempts: entry.attempts, error: entry.error.message, ...ctx },
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
      await Promise.race([cycle, sleep(5000)]);
      await teardown();
      await spec.background?.stop();
      state = 'stopped';
      logger.info(stats, 'consumer stopped');
    },
  };
}
