/**
 * Publishes outbox rows to Kafka in `sequence` order and marks them published. Exactly one relay
 * is active at a time: it holds a Postgres session advisory lock on its own connection, and every
 * claim and mark runs on that same connection, so a relay that lost its session (crashed, or cut
 * off from Postgres) cannot mark anything either. Other replicas are hot standbys: they retry the
 * lock every `standbyPollMs` and one takes over as soon as Postgres ends the active relay's
 * session (at once when its process dies, since the kernel closes the socket).
 *
 * Between batches the active relay does not poll an idle outbox. While rows keep coming it looks
 * again every `idleMs` (a batch gathers meanwhile, as before); once a look finds nothing it waits
 * for Postgres to wake it: it LISTENs on OUTBOX_CHANNEL and holds the advisory lock
 * (OUTBOX_WAKE_LOCK, hashtext(topic)) of each of its topics, and the trigger of
 * prisma/migrations/20261202100000_outbox_wake_relay makes a transaction that adds an event notify
 * it at commit when it cannot share the event's topic lock. A writer that can share it holds its
 * share until it ends, so the relay only starts waiting once every in-flight writer's rows are
 * visible, then looks once more before it sleeps: no row is left behind, and busy writers never
 * notify (NOTIFY serializes the commits that send one). Without the trigger (an unmigrated
 * database) the relay polls every `idleMs` as it used to.
 *
 * At least once: a crash between send and mark re-sends those rows, in the same order, and a
 * relay that loses its session mid-send may still deliver that batch after a standby resent it.
 * Consumers therefore dedupe on `id` and drop any event whose `aggregate_version` they have
 * already passed (platform/kafka/topics.ts).
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import pg from 'pg';
import { ALL_TOPICS } from '../kafka/topics';
import type { Logger } from '../logger';
import {
  endPublishSpans,
  tracedMessages,
  withoutAutoInstrumentation,
  type OutboxRow,
  type TracedMessage,
} from './traced-messages';

/** Any constant shared by every relay of one database (scripts' migrate lock is 72707). */
export const OUTBOX_RELAY_LOCK = 72708;
/** With hashtext(topic): held by a relay waiting to be woken for that topic, shared by its writers (the migration's trigger). */
export const OUTBOX_WAKE_LOCK = 72710;
/** Where the outbox trigger notifies a waiting relay. */
export const OUTBOX_CHANNEL = 'pasar_outbox';
const WAKE_TRIGGER = 'events_wake_relay';

export type RelayRole = 'standby' | 'active' | 'stopped';

export interface OutboxRelay {
  /** Publishes one batch if this relay holds the lock; returns how many rows it published. */
  publishBatch(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether this relay is the one publishing. */
  role(): RelayRole;
  /** Rows this relay has published since it started. */
  published(): number;
}

export interface RelayOptions {
  batchSize?: number;
  /** After a batch smaller than `batchSize`: the wait before the next look (rows are coming in). */
  idleMs?: number;
  /** The longest a waiting relay sleeps without a notification before it looks anyway (a safety net). */
  wakeCheckMs?: number;
  standbyPollMs?: number;
  /** Relays sharing a lock key elect one active relay among themselves. */
  lockKey?: number;
  /** The topics this relay publishes; the declared ones by default, so a stray row is never sent. */
  topics?: string[];
}

export function createOutboxRelay(
  databaseUrl: string,
  kafka: Kafka,
  logger: Logger,
  {
    batchSize = 100,
    idleMs = 200,
    wakeCheckMs = 30_000,
    standbyPollMs = 1000,
    lockKey = OUTBOX_RELAY_LOCK,
    topics = ALL_TOPICS.map((t) => t.name),
  }: RelayOptions = {},
): OutboxRelay {
  let producer: Producer | undefined;
  let session: pg.Client | undefined;
  let current: RelayRole = 'stopped';
  let running = false;
  let loop: Promise<void> | undefined;
  let count = 0;
  /** Whether the active session LISTENs (the wake trigger exists), and whether a notification came since the last look. */
  let listening = false;
  let notified = false;
  /** End the current pause: `wake` on a notification (if the pause waits for one), `endPause` on stop or a lost session. */
  let wake: (() => void) | undefined;
  let endPause: (() => void) | undefined;

  /** Resolves after `ms`, or sooner when stopped or, if `onNotification`, notified. */
  function pause(ms: number, onNotification: boolean): Promise<void> {
    if (!running || (onNotification && notified)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = onNotification ? done : undefined;
      endPause = done;
    });
  }

  async function connectedProducer(): Promise<Producer> {
    if (!producer) {
      // acks=-1 before a row is marked; one request in flight keeps a retried batch from
      // overtaking the next one, so per-key order holds on the partition.
      const p = kafka.producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await p.connect();
      producer = p;
    }
    return producer;
  }

  /** A fresh session; its errors end it (the loop notices on its next query) instead of crashing the process. */
  async function openSession(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: databaseUrl,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      application_name: 'pasar-outbox-relay',
    });
    client.on('error', (err) => {
      logger.warn({ err }, 'outbox relay lost its Postgres session');
      endPause?.(); // a relay waiting on this session notices now, not at its next look
    });
    await client.connect();
    return client;
  }

  async function closeSession() {
    const s = session;
    session = undefined;
    listening = false;
    if (current === 'active') logger.info('outbox relay stepping down');
    current = running ? 'standby' : 'stopped';
    // Ending the session releases the advisory lock; a standby takes over on its next poll.
    await s?.end().catch(() => undefined);
  }

  async function publishBatch(): Promise<number> {
    if (current !== 'active' || !session) return 0;
    const db = session;
    const p = await connectedProducer();
    await db.query('BEGIN');
    try {
      const { rows } = await db.query<OutboxRow>(
        `SELECT id, topic, key, type, aggregate_version, payload, traceparent FROM outbox.events
         WHERE published_at IS NULL AND topic = ANY($1) ORDER BY sequence LIMIT $2 FOR UPDATE`,
        [topics, batchSize],
      );
      if (rows.length > 0) {
        const traced = tracedMessages(rows);
        const byTopic = new Map<string, TracedMessage['message'][]>();
        for (const t of traced) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t.message]);
        try {
          await withoutAutoInstrumentation(() =>
            p.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }),
          );
          endPublishSpans(traced);
        } catch (err) {
          endPublishSpans(traced, err);
          throw err;
        }
        await db.query(
          'UPDATE outbox.events SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])',
          [rows.map((r) => r.id)],
        );
      }
      await db.query('COMMIT');
      count += rows.length;
      return rows.length;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      // Recorded outside the rolled-back transaction, so an operator sees why rows are stuck.
      await db
        .query(
          `UPDATE outbox.events SET attempts = attempts + 1, last_error = $2
           WHERE id = (SELECT id FROM outbox.events WHERE published_at IS NULL AND topic = ANY($1) ORDER BY sequence LIMIT 1)`,
          [topics, (err as Error).message],
        )
        .catch(() => undefined);
      throw err;
    }
  }

  /** LISTENs on the session if the database has the wake trigger; else the relay polls. */
  async function listen(db: pg.Client): Promise<boolean> {
    const { rows } = await db.query<{ present: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgrelid = 'outbox.events'::regclass) AS present`,
      [WAKE_TRIGGER],
    );
    if (!rows[0]?.present) {
      logger.warn({ trigger: WAKE_TRIGGER, idleMs }, 'outbox has no wake trigger (migrate?): polling');
      return false;
    }
    const mine = new Set(topics);
    db.on('notification', (n) => {
      // The payload is the new event's topic: another relay's events (a test's own topic) wake nobody here.
      if (n.channel !== OUTBOX_CHANNEL || !mine.has(n.payload ?? '')) return;
      notified = true;
      wake?.();
    });
    await db.query(`LISTEN ${OUTBOX_CHANNEL}`);
    return true;
  }

  /**
   * After a look that found nothing: sleeps until a writer's commit notifies, holding its topics'
   * wake locks meanwhile. If one cannot be had, a writer is in flight (or another relay of this
   * database waits for that topic): look again after `idleMs`, or when notified.
   */
  async function waitForRows(db: pg.Client): Promise<void> {
    if (notified) return;
    const { rows } = await db.query<{ topic: string; held: boolean }>(
      'SELECT t AS topic, pg_try_advisory_lock($1, hashtext(t)) AS held FROM unnest($2::text[]) AS t',
      [OUTBOX_WAKE_LOCK, topics],
    );
    const held = rows.filter((r) => r.held).map((r) => r.topic);
    const release = () =>
      held.length === 0
        ? undefined
        : db.query('SELECT pg_advisory_unlock($1, hashtext(t)) FROM unnest($2::text[]) AS t', [OUTBOX_WAKE_LOCK, held]);
    if (held.length < topics.length) {
      await release();
      return pause(idleMs, true);
    }
    try {
      // Writers that shared a lock before we took it have committed; their rows may have come after our look.
      const pending = await db.query<{ any: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM outbox.events WHERE published_at IS NULL AND topic = ANY($1)) AS any',
        [topics],
      );
      if (!pending.rows[0]?.any) await pause(wakeCheckMs, true);
    } finally {
      await release();
    }
  }

  /** Standby until the lock is ours. */
  async function acquire(): Promise<void> {
    while (running) {
      session ??= await openSession();
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey]);
      if (rows[0]?.locked) {
        current = 'active';
        listening = await listen(session);
        logger.info({ lockKey, woken: listening }, 'outbox relay active');
        return;
      }
      current = 'standby';
      await pause(standbyPollMs, false);
    }
  }

  async function run() {
    let backoff = idleMs;
    while (running) {
      try {
        if (current !== 'active') await acquire();
        if (!running) break;
        notified = false;
        const n = await publishBatch();
        backoff = idleMs;
        if (n === batchSize) continue;
        if (n > 0 || !listening || !session) await pause(idleMs, false);
        else await waitForRows(session);
      } catch (err) {
        logger.warn({ err }, 'outbox relay could not publish; retrying');
        // A broken session has lost the lock already; a working one keeps it (Kafka was the problem).
        const alive = await session?.query('SELECT 1').then(
          () => true,
          () => false,
        );
        if (!alive) await closeSession();
        await pause(backoff, false);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  return {
    publishBatch,
    role: () => current,
    published: () => count,
    async start() {
      if (running) return;
      running = true;
      current = 'standby';
      loop = run();
    },
    async stop() {
      running = false;
      endPause?.();
      await loop;
      await closeSession();
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
