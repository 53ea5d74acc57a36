/**
 * The outbox relay sleeps while nothing is written and a commit wakes it (platform/outbox/relay.ts,
 * the trigger of prisma/migrations/20261202100000_outbox_wake_relay), against real Postgres and
 * Kafka: a relay of its own (lock key, topic) runs no query while it waits, publishes an event
 * at once after its commit although it would otherwise look only every 5 s, stops at once, and
 * writers notify only while a relay waits for their topic.
 */
import pg from 'pg';
import { createLogger } from '../../platform/logger';
import type { TopicSpec } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { createOutboxRelay, OUTBOX_CHANNEL, OUTBOX_WAKE_LOCK, type OutboxRelay } from '../../platform/outbox/relay';
import { unique, useDeps } from '../support/deps';
import { waitFor } from '../support/shop';

const logger = createLogger('silent');
const stockSet = {
  product_id: '00000000-0000-4000-a000-000000000000',
  quantity: 1,
  reserved: 0,
  available: 1,
  reason: 'stock_set',
  order_id: null,
};

describe('outbox relay woken by commits', () => {
  const deps = useDeps();
  let topic: TopicSpec;
  let relay: OutboxRelay | undefined;
  let listener: pg.Client | undefined;

  const newTopic = async () => {
    const t = { name: `test.wake.${unique()}`, partitions: 1, carries: 'test events' };
    const admin = deps().kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: t.name, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    return t;
  };
  const write = (t: TopicSpec) =>
    deps().db.$transaction((tx) =>
      enqueueEvent(tx, { topic: t, type: 'inventory.changed', aggregateId: unique('agg'), data: stockSet }),
    );
  /** The backend pid of the session waiting for `t` (holding its wake lock), if one waits. */
  const waiter = async (t: TopicSpec) => {
    const [row] = await deps().db.$queryRaw<{ pid: number; idle_ms: number }[]>`
      SELECT l.pid, EXTRACT(EPOCH FROM now() - a.state_change) * 1000 AS idle_ms
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock' AND l.objsubid = 2
        AND l.classid::int8 = ${OUTBOX_WAKE_LOCK}::int8 AND l.objid::int8 = (hashtext(${t.name}::text)::int8 & 4294967295)`;
    return row && { pid: row.pid, idleMs: Number(row.idle_ms) };
  };

  beforeAll(async () => {
    topic = await newTopic();
    listener = new pg.Client({ connectionString: deps().config.postgres.url });
    await listener.connect();
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  });
  afterAll(async () => {
    await relay?.stop();
    await listener?.end();
  });

  it('a waiting relay runs no query; a commit wakes it at once, though it would look again only after 5 s', async () => {
    const { config, kafka, db } = deps();
    relay = createOutboxRelay(config.postgres.url, kafka, logger, {
      lockKey: 900_000_000 + Math.floor(Math.random() * 99_000_000),
      topics: [topic.name],
      idleMs: 5000,
    });
    await relay.start();
    const waiting = await waitFor('the relay to wait for its topic', () => waiter(topic), 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    // Its session has not run a statement since it started waiting.
    expect((await waiter(topic))?.pid).toBe(waiting.pid);
    expect((await waiter(topic))!.idleMs).toBeGreaterThan(1000);

    const written = Date.now();
    const event = await write(topic);
    await waitFor(
      'the event to be published',
      async () => (await db.outboxEvent.findUnique({ where: { id: event.id } }))?.published_at,
      10_000,
    );
    expect(Date.now() - written).toBeLessThan(2000);
    expect(relay.published()).toBe(1);
    // And it waits again.
    await waitFor('the relay to wait again', () => waiter(topic), 10_000);
  });

  it('a writer notifies while a relay waits for its topic, and not for a topic nobody waits for', async () => {
    const heard: string[] = [];
    listener!.on('notification', (n) => heard.push(n.payload ?? ''));
    await waitFor('the relay to wait for its topic', () => waiter(topic), 10_000);
    const lonely = await newTopic();
    await write(lonely);
    await write(topic);
    await waitFor('the notification', async () => heard.includes(topic.name), 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(heard).not.toContain(lonely.name);
  });

  it('stops at once while it waits', async () => {
    await waitFor('the relay to wait for its topic', () => waiter(topic), 10_000);
    const started = Date.now();
    await relay!.stop();
    relay = undefined;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await waiter(topic)).toBeUndefined();
  });
});
