/**
 * The services' batch handlers (issue 19) against their real stores. Analytics: the events of a
 * fetch, three partitions' worth, reach ClickHouse in one INSERT (counted by a wrapper around the
 * writer and by ClickHouse itself: every insert into a MergeTree takes one block number), and the
 * same batch delivered again changes no figure. Search: a batch holding several versions of one
 * product, out of order and repeated, is one document write leaving the newest of each half.
 * Notifications: a batch's rows keep the events' order (the order the sender sends them in),
 * an event twice in it is one row, and the same batch again adds nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createClickHouse, type ClickHouseClient } from '../../platform/clients/clickhouse';
import { getConfig } from '../../platform/config';
import type { CatalogEvent, TypedEvent } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { createLogger } from '../../platform/logger';
import { createAnalyticsConsumer } from '../../services/analytics/consumer';
import { createAnalyticsEventWriter, type AnalyticsEventWriter } from '../../services/analytics/event-writer';
import { createNotificationConsumer } from '../../services/notifications/consumer';
import type { Mailer } from '../../services/notifications/mailer';
import { createNotificationStore } from '../../services/notifications/store';
import type { ProductDocument } from '../../services/search/document';
import { createSearchConsumer } from '../../services/search/consumer';
import { createIndexer } from '../../services/search/indexer';
import { createOrderStore } from '../../services/orders/store';
import { createProfile, createUserStore } from '../../services/users/store';
import { useAnalyticsDatabase } from '../support/analytics';
import { productEvent, produce, testTopic, useConsumers } from '../support/consumers';
import { unique, useDeps } from '../support/deps';
import { dropScratch, inventoryEvent, scratchAlias } from '../support/search';
import { waitFor } from '../support/shop';

const logger = createLogger('silent');
const ctx = { topic: 't', partition: 0, offset: '0', headers: {} };

function paidOrder(totalAmount: string): TypedEvent<'order.paid'> {
  const orderId = randomUUID();
  return {
    id: randomUUID(),
    type: 'order.paid',
    aggregate_id: orderId,
    aggregate_version: 2,
    occurred_at: new Date().toISOString(),
    version: 1,
    data: {
      order_id: orderId,
      order_number: 'PSR-BATCH',
      user_id: randomUUID(),
      status: 'paid',
      total_amount: totalAmount,
      reason: null,
      items: [{ product_id: randomUUID(), quantity: 1, unit_price: totalAmount }],
    },
  };
}

function registered(user: { id: string; email: string }): TypedEvent<'user.registered'> {
  return {
    id: randomUUID(),
    type: 'user.registered',
    aggregate_id: user.id,
    aggregate_version: 1,
    occurred_at: new Date().toISOString(),
    version: 1,
    data: { user_id: user.id, email: user.email, first_name: 'Budi', last_name: 'Santoso', phone: '+6281200000000' },
  };
}

async function rewind(kafka: Kafka, groupId: string, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.resetOffsets({ groupId, topic, earliest: true });
  await admin.disconnect();
}

describe('consumer batches', () => {
  const deps = useDeps();
  const consumers = useConsumers(() => deps().kafka);
  const database = useAnalyticsDatabase();

  describe('analytics', () => {
    let clickhouse: ClickHouseClient;
    beforeAll(() => {
      clickhouse = createClickHouse(getConfig().clickhouse.url, database, 5000);
    });
    afterAll(() => clickhouse.close());

    const one = async <T>(query: string) =>
      (await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<T>())[0]!;
    /** ClickHouse's own count of inserts into `events`: each took one block number, merges keep the range. */
    const inserts = async () =>
      Number(
        (
          await one<{ blocks: string }>(
            `SELECT max(max_block_number) - min(min_block_number) + 1 AS blocks FROM system.parts
             WHERE database = '${database}' AND table = 'events' AND active`,
          )
        ).blocks,
      );
    const figures = () =>
      one<{ events: string; orders: string; revenue_sen: string }>(
        `SELECT uniqExact(id) AS events, (SELECT sum(total_orders) FROM order_metrics) AS orders,
                (SELECT toString(sum(total_revenue_sen)) FROM order_metrics) AS revenue_sen FROM events`,
      );

    it("writes a fetch's events in one insert; the same batch delivered again changes no figure", async () => {
      const { kafka } = deps();
      const topic = await testTopic(kafka, 3);
      const writer = createAnalyticsEventWriter(clickhouse);
      const calls: number[] = [];
      const counted: Pick<AnalyticsEventWriter, 'write' | 'writeMany'> = {
        write: writer.write,
        writeMany: async (rows) => {
          calls.push(rows.length);
          await writer.writeMany(rows);
        },
      };
      const spec = { ...createAnalyticsConsumer({ analyticsEvents: counted }, logger), topics: [topic] };
      const orders = Array.from({ length: 20 }, () => paidOrder('150000.25'));
      const users = Array.from({ length: 10 }, () => registered({ id: randomUUID(), email: `b@example.id` }));
      const events: CatalogEvent[] = [...orders, ...users];
      // On the topic before the consumer joins: its first fetch brings all three partitions.
      await produce(
        kafka,
        topic.name,
        events.map((e) => ({ key: e.aggregate_id, value: e })),
      );
      const groupId = unique('pasar.analytics-batch');
      let running = consumers.start(spec, { groupId });
      await waitFor('the first delivery', async () => running.stats().handled === events.length);
      expect(calls).toEqual([events.length]);
      expect(await inserts()).toBe(1);
      const first = await figures();
      expect(first).toEqual({ events: '30', orders: '20', revenue_sen: String(20 * 15_000_025) });

      // A crash after the insert and before the commit: the group reads the batch again.
      await consumers.stop(running);
      await rewind(kafka, groupId, topic.name);
      running = consumers.start(spec, { groupId });
      await waitFor('the second delivery', async () => running.stats().handled === events.length);
      expect(calls).toEqual([events.length, events.length]);
      expect(await inserts()).toBe(2);
      expect(await figures()).toEqual(first);
    });
  });

  describe('search', () => {
    let alias = '';
    beforeAll(async () => {
      alias = await scratchAlias(deps().search);
    });
    afterAll(() => dropScratch(deps().search, alias));

    it("writes a product's several versions in a batch once, leaving the newest of each half", async () => {
      const { search } = deps();
      const spec = createSearchConsumer({ searchIndexer: createIndexer(search, alias) }, logger);
      const [id, other] = [randomUUID(), randomUUID()];
      const v1 = productEvent(1, id, 'Gula Aren Lama');
      const v2 = productEvent(2, id, 'Gula Aren Baru');
      const batch = [
        inventoryEvent(id, 1, 50),
        v1,
        inventoryEvent(id, 3, 7),
        productEvent(1, other, 'Kopi Tubruk'),
        v2,
        inventoryEvent(id, 2, 0),
        v1, // a late redelivery of the older product event
      ].map((event) => ({ event, ctx }));
      await spec.handleBatch!(batch);
      const doc = await search.get<ProductDocument>({ index: alias, id });
      expect(doc._source).toMatchObject({
        name: 'Gula Aren Baru',
        product_version: 2,
        available: 7,
        in_stock: true,
        stock_version: 3,
      });
      expect(doc._version).toBe(1); // one write for the seven events
      expect((await search.get<ProductDocument>({ index: alias, id: other }))._source?.name).toBe('Kopi Tubruk');

      await spec.handleBatch!(batch); // delivered again: nothing newer, nothing written
      expect((await search.get({ index: alias, id }))._version).toBe(1);
    });
  });

  describe('notifications', () => {
    const userIds: string[] = [];
    afterAll(async () => {
      const { db } = deps();
      await db.notification.deleteMany({ where: { user_id: { in: userIds } } });
      await db.user.deleteMany({ where: { id: { in: userIds } } });
    });

    it("writes a batch's messages in the events' order, each once; the batch again adds nothing", async () => {
      const { db } = deps();
      const users = Array.from({ length: 5 }, () => ({
        id: randomUUID(),
        email: `${unique('batch')}@bench.pasar.local`,
      }));
      for (const u of users) {
        userIds.push(u.id);
        await createProfile(db, { ...u, first_name: 'Budi', last_name: 'Santoso', phone: '+6281200000000' });
      }
      // Welcomes only: no order is read, and no mail is sent (the sender is never started).
      const mailer: Mailer = { send: async () => undefined, close: () => undefined };
      const spec = createNotificationConsumer(
        {
          notifications: createNotificationStore(db),
          users: createUserStore(db, getConfig().users),
          orders: createOrderStore(db, getConfig().checkout),
          mail: { mailer, messageIdDomain: 'test.pasar.local' },
        },
        logger,
      );
      const welcomes = users.map(registered);
      const batch = [...welcomes, welcomes[2]!].map((event) => ({ event, ctx })); // one twice (a re-send)
      const handleBatch = spec.handleBatch!.bind(spec) as NonNullable<ConsumerSpec['handleBatch']>;
      await handleBatch(batch);
      const rows = await db.notification.findMany({
        where: { user_id: { in: userIds } },
        orderBy: [{ created_at: 'asc' }, { id: 'asc' }],
      });
      expect(rows.map((r) => r.event_id)).toEqual(welcomes.map((e) => e.id));
      expect(rows.every((r) => r.status === 'pending' && r.type === 'welcome' && r.channel === 'email')).toBe(true);

      await handleBatch(batch);
      expect(await db.notification.count({ where: { user_id: { in: userIds } } })).toBe(users.length);
    });
  });
});
