/**
 * Publishes outbox rows to Kafka in `sequence` order and marks them published. Exactly one relay
 * is active at a time: it holds a Postgres session advisory lock on its own connection, and every
 * claim and mark runs on that same connection, so a relay that lost its session (crashed, or cut
 * off from Postgres) cannot mark anything either. Other replicas are hot standbys: they retry the
 * lock every `standbyPollMs` and one takes over as soon as Postgres ends the active relay's
 * session (at once when its process dies, since the kernel closes the socket).
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
  idleMs?: number;
  standbyPollMs?: number;
  /** Relays sharing a lock key elect one active relay among themselves. */
  lockKey?: number;
  /** The topics this relay publishes; the declared ones by default, so a stray row is never sent. */
  topics?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createOutboxRelay(
  databaseUrl: string,
  kafka: Kafka,
  logger: Logger,
  {
    batchSize = 100,
    idleMs = 200,
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
    client.on('error', (err) => logger.warn({ err }, 'outbox relay lost its Postgres session'));
    await client.connect();
    return client;
  }

  async function closeSession() {
    const s = session;
    session = undefined;
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

  /** Standby until the lock is ours. */
  async function acquire(): Promise<void> {
    while (running) {
      session ??= await openSession();
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey]);
      if (rows[0]?.locked) {
        current = 'active';
        logger.info({ lockKey }, 'outbox relay active');
        return;
      }
      current = 'standby';
      await sleep(standbyPollMs);
    }
  }

  async function run() {
    let backoff = idleMs;
    while (running) {
      try {
        if (current !== 'active') await acquire();
        if (!running) break;
        const n = await publishBatch();
        backoff = idleMs;
        if (n < batchSize) await sleep(idleMs);
      } catch (err) {
        logger.warn({ err }, 'outbox relay could not publish; retrying');
        // A broken session has lost the lock already; a working one keeps it (Kafka was the problem).
        const alive = await session?.query('SELECT 1').then(
          () => true,
          () => false,
        );
        if (!alive) await closeSession();
        await sleep(backoff);
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
      await loop;
      await closeSession();
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
