/**
 * Events in order per aggregate (issue 7, item 6), against real Postgres and Kafka: many
 * concurrent writers of one aggregate, read back with a real consumer, arrive with versions
 * 1, 2, 3... in order; and of two relays only one publishes, the other taking over when the
 * first is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import { createLogger } from '../../platform/logger';
import { TOPICS, type TopicSpec } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { createOutboxRelay, type OutboxRelay } from '../../platform/outbox/relay';
import { createServices } from '../../services';
import { unique, useDeps } from '../support/deps';
import { kill } from '../support/worker-process';
import { waitFor } from '../support/shop';

const stockSet = (i: number) => ({
  product_id: '00000000-0000-4000-a000-000000000000',
  quantity: i,
  reserved: 0,
  available: i,
  reason: 'stock_set',
  order_id: null,
});

interface Received {
  version: number;
  header: string | undefined;
  data: any;
}

/** Reads `topic` from the beginning, keeping the messages keyed `key` in arrival order, until `done`. */
async function readAggregate(kafka: Kafka, topic: string, key: string, done: (r: Received[]) => boolean) {
  const consumer = kafka.consumer({ groupId: unique('order-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} events of ${key} within 60 s: ${JSON.stringify(received)}`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== key) return;
          const envelope = JSON.parse(message.value!.toString());
          received.push({
            version: envelope.aggregate_version,
            header: message.headers?.aggregate_version?.toString(),
            data: envelope.data,
          });
          if (done(received)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

const logger = createLogger('silent');

describe('outbox order', () => {
  const deps = useDeps();

  it('50 concurrent stock changes of one product reach Kafka with versions 1..n in order, the last one the final stock', async () => {
    const { db, kafka, config } = deps();
    const services = createServices(deps(), logger);
    const relay = createOutboxRelay(config.postgres.url, kafka, logger);
    await relay.start(); // active, or a standby behind another process's relay: either way one publishes
    try {
      const product = await services.products.create({
        sku: unique('ORD').slice(0, 50),
        name: 'Gula Aren Cair 500 ml',
        price: '42000.00',
        quantity: 0,
        weight_grams: 550,
      } as any);
      // Distinct quantities, so the final stock tells which transaction committed last.
      await Promise.all(Array.from({ length: 50 }, (_, i) => services.inventory.setStock(product.id, 100 + i)));
      const [row] = await db.$queryRaw<{ version: bigint }[]>`
        SELECT version FROM outbox.aggregate_versions WHERE aggregate_type = ${TOPICS.inventory.name} AND aggregate_id = ${product.id}`;
      const last = Number(row!.version);
      expect(last).toBeGreaterThanOrEqual(50);
      const [finalStock] = await services.inventory.availability([product.id]);

      const received = await readAggregate(kafka, TOPICS.inventory.name, product.id, (r) =>
        r.some((e) => e.version === last),
      );
      expect(received.map((e) => e.version)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      expect(received.map((e) => e.header)).toEqual(received.map((e) => String(e.version)));
      // A consumer applying events in arrival order ends where the database ended.
      expect(received.at(-1)!.data.quantity).toBe(finalStock!.quantity);
    } finally {
      await relay.stop();
    }
  });

  describe('two relays', () => {
    let topic: TopicSpec;
    const lockKey = 900_000_000 + Math.floor(Math.random() * 100_000_000);
    let child: ChildProcess | undefined;
    let standby: OutboxRelay | undefined;

    beforeAll(async () => {
      // A topic of its own, which the other relays on this database (other tests' servers) never publish.
      topic = { name: `test.outbox.${unique()}`, partitions: 3, carries: 'test events' };
      const admin = deps().kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: topic.name, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();
    });
    afterAll(async () => {
      if (child) await kill(child);
      await standby?.stop();
    });

    const write = (aggregateId: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          deps().db.$transaction((tx) =>
            // Any catalog type will do (enqueueEvent refuses types the catalog does not know).
            enqueueEvent(tx, { topic, type: 'inventory.changed', aggregateId, data: stockSet(i) }),
          ),
        ),
      );
    const unpublished = async () => deps().db.outboxEvent.count({ where: { topic: topic.name, published_at: null } });

    it('only one publishes; when it is killed the standby takes over, and order holds across the handover', async () => {
      const { config, kafka } = deps();
      let output = '';
      child = spawn('node', ['--import', 'tsx', 'tests/support/relay-process.ts', String(lockKey), topic.name], {
        env: { ...process.env },
      });
      child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      await waitFor('the first relay to be active', async () => /outbox relay active/.test(output), 60_000);

      standby = createOutboxRelay(config.postgres.url, kafka, logger, {
        lockKey,
        topics: [topic.name],
        standbyPollMs: 200,
      });
      await standby.start();
      await waitFor('the second relay to be standing by', async () => standby!.role() === 'standby');

      const aggregate = unique('agg');
      await write(aggregate, 20);
      await waitFor('the first relay to publish everything', async () => (await unpublished()) === 0);
      expect(standby.role()).toBe('standby');
      expect(standby.published()).toBe(0);

      const killedAt = Date.now();
      await kill(child, 'SIGKILL');
      child = undefined;
      await waitFor('the standby to take over', async () => standby!.role() === 'active', 30_000);
      const takeoverMs = Date.now() - killedAt;

      await write(aggregate, 20);
      await waitFor('the second relay to publish the rest', async () => (await unpublished()) === 0);
      expect(standby.published()).toBe(20);

      const received = await readAggregate(kafka, topic.name, aggregate, (r) => r.some((e) => e.version === 40));
      expect(received.map((e) => e.version)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      console.log(`standby took over ${takeoverMs} ms after the active relay was killed`);
    });
  });
});
