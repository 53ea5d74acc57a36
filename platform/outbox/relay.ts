/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so several relays can run side by side without double work; a crash
 * between send and mark re-sends the row, which is fine because consumers dedupe on event id.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Db } from '../clients/prisma';
import type { Logger } from '../logger';

interface Row {
  id: string;
  topic: string;
  key: string;
  payload: unknown;
}

export interface OutboxRelay {
  /** Publishes one batch; returns how many rows it published. */
  publishBatch(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createOutboxRelay(
  db: Db,
  kafka: Kafka,
  logger: Logger,
  { batchSize = 100, idleMs = 200 } = {},
): OutboxRelay {
  let producer: Producer | undefined;
  let running = false;
  let loop: Promise<void> | undefined;

  async function connectedProducer(): Promise<Producer> {
    if (!producer) {
      // At-least-once with consumer-side dedupe on event id; one request in flight keeps a
      // retried batch from overtaking the next one, so per-key order holds.
      const p = kafka.producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await p.connect();
      producer = p;
    }
    return producer;
  }

  async function publishBatch(): Promise<number> {
    const p = await connectedProducer();
    return db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<Row[]>`
          SELECT id, topic, key, payload FROM outbox.events
          WHERE published_at IS NULL ORDER BY created_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const byTopic = new Map<string, Row[]>();
        for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
        try {
          await p.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, list]) => ({
              topic,
              messages: list.map((r) => ({
                key: r.key,
                value: JSON.stringify(r.payload),
                headers: { event_id: r.id },
              })),
            })),
          });
        } catch (err) {
          const ids = rows.map((r) => r.id);
          await tx.$executeRaw`UPDATE outbox.events SET attempts = attempts + 1, last_error = ${(err as Error).message}
                               WHERE id = ANY(${ids}::uuid[])`;
          throw err;
        }
        const ids = rows.map((r) => r.id);
        await tx.$executeRaw`UPDATE outbox.events SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(${ids}::uuid[])`;
        return rows.length;
      },
      { timeout: 30_000 },
    );
  }

  async function run() {
    let backoff = idleMs;
    while (running) {
      try {
        const n = await publishBatch();
        backoff = idleMs;
        if (n < batchSize) await new Promise((r) => setTimeout(r, idleMs));
      } catch (err) {
        logger.warn({ err }, 'outbox relay could not publish; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  return {
    publishBatch,
    async start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      await loop;
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
