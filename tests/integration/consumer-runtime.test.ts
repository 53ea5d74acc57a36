/**
 * The consumer runtime against the real Kafka and Redis (issue 8): redelivery changes nothing,
 * poisoned events are parked on the dead-letter topic with what an operator needs and the
 * partition moves on, a parked event is replayed once, a graceful stop commits, and a consumer
 * cut off from Kafka catches up when it is back. The batch path (issue 19, `handleBatch`): one
 * poisoned event in a batch is parked alone and the rest handled once, a redelivered batch changes
 * nothing, and one key's events keep their order in batches gathered across partitions. Every
 * consumer runs in a group and on a topic of its own (tests/support/consumers.ts).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { getConfig } from '../../platform/config';
import type { EventEnvelope } from '../../platform/events';
import type { ConsumedEvent, ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { readDeadLetters, type DeadLetter } from '../../platform/kafka/dead-letter';
import { replayEntries } from '../../platform/kafka/dead-letter-replay';
import { createProcessedEvents, processedKey } from '../../platform/kafka/processed-events';
import type { TopicSpec } from '../../platform/kafka/topics';
import { createLogger } from '../../platform/logger';
import { cuttableLink, produce, productEvent, testTopic, useConsumers } from '../support/consumers';
import { unique, useDeps } from '../support/deps';
import { waitFor } from '../support/shop';

const logger = createLogger('silent');
const run = promisify(execFile);

describe('consumer runtime', () => {
  const deps = useDeps();
  const consumers = useConsumers(() => deps().kafka);

  /** A consumer that counts each product's events in Redis, deduplicated by the processed-events record. */
  function countingConsumer(name: string, topic: TopicSpec) {
    const processed = createProcessedEvents(deps().redis, 600);
    const seen: string[] = [];
    const spec: ConsumerSpec = {
      name,
      topics: [topic],
      types: ['product.upserted'],
      handle: async (event) => {
        seen.push(event.id);
        await processed.once(name, event.id, async () => {
          await deps().redis.incr(`test:count:${name}:${event.aggregate_id}`);
        });
      },
    };
    const count = async (productId: string) => Number(await deps().redis.get(`test:count:${name}:${productId}`));
    return { spec, seen, count };
  }

  async function parkedBy(group: string, n: number): Promise<DeadLetter[]> {
    let found: DeadLetter[] = [];
    await waitFor(`${n} dead-letter entries of ${group}`, async () => {
      found = (await readDeadLetters(deps().kafka)).filter((e) => e.group_id === group);
      return found.length >= n;
    });
    return found;
  }

  it('an event delivered three times (offsets rewound twice) changes nothing after the first', async () => {
    const { kafka } = deps();
    const topic = await testTopic(kafka);
    const name = unique('counter');
    const { spec, seen, count } = countingConsumer(name, topic);
    const event = productEvent();
    await produce(kafka, topic.name, [{ key: event.aggregate_id, value: event }]);
    const groupId = `pasar.${name}`;

    for (let delivery = 1; delivery <= 3; delivery++) {
      const c = consumers.start(spec, { groupId });
      await waitFor(`delivery ${delivery}`, async () => seen.length === delivery);
      await consumers.stop(c);
      // Rewind the group, as a crash before the commit or a rebalance would.
      const admin = kafka.admin();
      await admin.connect();
      await admin.resetOffsets({ groupId, topic: topic.name, earliest: true });
      await admin.disconnect();
    }

    expect(seen).toEqual([event.id, event.id, event.id]);
    expect(await count(event.aggregate_id)).toBe(1);
    expect(await deps().redis.exists(processedKey(name, event.id))).toBe(1);
  });

  it('poisoned events are parked with the error, consumer, attempts and headers; the partition moves on', async () => {
    const { kafka } = deps();
    const topic = await testTopic(kafka);
    const handled: string[] = [];
    const spec: ConsumerSpec = {
      name: unique('poison'),
      topics: [topic],
      types: ['product.upserted'],
      handle: async (event: EventEnvelope<any>) => {
        if (event.data.name === 'always throws') throw new Error('the handler cannot take this product');
        handled.push(event.id);
      },
    };
    const key = randomUUID(); // one key: one partition, in this order
    const badData = productEvent(2, key);
    (badData.data as { price: string }).price = 'free';
    const throwing = productEvent(3, key, 'always throws');
    const good = productEvent(4, key);
    const notForUs = { ...productEvent(5, key), type: 'user.registered', data: { nonsense: true } };
    const sentAt = Date.now();
    await produce(kafka, topic.name, [
      { key, value: '{"id": "not json', headers: { traceparent: '00-abc-01' } },
      { key, value: badData },
      { key, value: throwing, headers: { event_type: throwing.type, traceparent: '00-def-01' } },
      { key, value: notForUs },
      { key, value: good },
    ]);
    const c = consumers.start(spec);

    await waitFor('the event after the poisoned ones', async () => handled.includes(good.id));
    const entries = await parkedBy(c.groupId, 3);
    const firstParkedMs = Date.parse(entries[0]!.parked_at) - sentAt;

    expect(handled).toEqual([good.id]);
    expect(c.stats()).toMatchObject({ handled: 1, skipped: 1, deadLettered: 3 });
    const [notJson, invalid, failing] = entries.sort((a, b) => Number(a.original.offset) - Number(b.original.offset));
    expect(notJson).toMatchObject({
      consumer: spec.name,
      reason: 'invalid_event',
      attempts: 0,
      event_id: null,
      original: { topic: topic.name, partition: 0, offset: '0', key, value: '{"id": "not json' },
    });
    expect(notJson!.error.message).toMatch(/not JSON/);
    expect(notJson!.original.headers).toEqual({ traceparent: '00-abc-01' });
    expect(invalid).toMatchObject({ reason: 'invalid_event', attempts: 0, event_id: badData.id });
    expect(invalid!.error.message).toMatch(/data\.price/);
    expect(failing).toMatchObject({
      reason: 'handler_failed',
      attempts: 4,
      event_id: throwing.id,
      event_type: 'product.upserted',
      error: { name: 'Error', message: 'the handler cannot take this product' },
      original: { offset: '2', headers: { event_type: 'product.upserted', traceparent: '00-def-01' } },
    });
    expect(JSON.parse(failing!.original.value!)).toEqual(throwing);
    console.log(`a poisoned event reached the dead-letter topic ${firstParkedMs} ms after it was sent`);
  });

  it('dlq replay re-drives a parked event through its consumer once, and never twice', async () => {
    const { kafka, redis } = deps();
    const topic = await testTopic(kafka);
    const name = unique('replay');
    const { spec: counting, seen, count } = countingConsumer(name, topic);
    let broken = true; // Elasticsearch rejects the document, say, until a fix is deployed
    const spec: ConsumerSpec = {
      ...counting,
      handle: async (event, ctx) => {
        if (broken) throw new Error('mapping rejected the document');
        await counting.handle(event, ctx);
      },
    };
    const event = productEvent();
    await produce(kafka, topic.name, [{ key: event.aggregate_id, value: event }]);
    const c = consumers.start(spec);
    const [entry] = await parkedBy(c.groupId, 1);
    expect(await count(event.aggregate_id)).toBe(0);

    const stillBroken = await replayEntries(redis, [entry!], [spec], logger);
    expect(stillBroken).toEqual([
      expect.objectContaining({ outcome: 'failed', error: 'mapping rejected the document' }),
    ]);

    broken = false;
    const results = await replayEntries(redis, [entry!, entry!], [spec], logger);
    expect(results.map((r) => r.outcome)).toEqual(['replayed', 'already_replayed']);
    expect(seen).toEqual([event.id]);
    expect(await count(event.aggregate_id)).toBe(1);

    // What an operator sees: `npm run dlq -- list` shows the entry and when it was replayed.
    const { stdout } = await run('npx', ['tsx', 'scripts/dlq.ts', 'list', '--json', '--consumer', name]);
    const listed = JSON.parse(stdout) as (DeadLetter & { replayed_at: string | null })[];
    expect(listed).toEqual([expect.objectContaining({ id: entry!.id, attempts: 4, replayed_at: expect.any(String) })]);
  });

  it('a graceful stop commits what was handled', async () => {
    const { kafka } = deps();
    const topic = await testTopic(kafka);
    const { spec, seen } = countingConsumer(unique('stopper'), topic);
    const events = Array.from({ length: 20 }, () => productEvent());
    await produce(
      kafka,
      topic.name,
      events.map((e) => ({ key: 'one-key', value: e })),
    );
    const c = consumers.start(spec);
    await waitFor('all 20 handled', async () => seen.length === 20);
    await consumers.stop(c);

    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: c.groupId, topics: [topic.name] });
    await admin.disconnect();
    expect(offsets!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '20' })]);
  });

  it('a consumer cut off from Kafka restarts and handles what was sent meanwhile when Kafka is back', async () => {
    const { kafka } = deps();
    const topic = await testTopic(kafka);
    const { spec, seen } = countingConsumer(unique('reconnect'), topic);
    const link = cuttableLink();
    const { brokers, clientId } = getConfig().kafka;
    const cutOff = new Kafka({ clientId, brokers, socketFactory: link.socketFactory, logLevel: logLevel.NOTHING });
    const c = consumers.start(spec, {
      kafka: cutOff,
      // Short kafkajs retries, so the group crashes within seconds of the cut and the restart path runs.
      kafkaRetry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
      maxRestartDelayMs: 2000,
    });
    const before = productEvent();
    await produce(kafka, topic.name, [{ key: before.aggregate_id, value: before }]);
    await waitFor('the event before the cut', async () => seen.includes(before.id));

    link.cut();
    await waitFor('the consumer to notice and try to reconnect', async () => c.state() === 'reconnecting');
    const during = productEvent();
    await produce(kafka, topic.name, [{ key: during.aggregate_id, value: during }]);
    await new Promise((r) => setTimeout(r, 5000)); // a few failed restarts
    expect(seen).not.toContain(during.id);
    expect(c.state()).not.toBe('running');

    const restoredAt = Date.now();
    link.restore();
    await waitFor('the event sent during the cut', async () => seen.includes(during.id), 60_000);
    console.log(`consumer caught up ${Date.now() - restoredAt} ms after Kafka was reachable again`);
    await waitFor('the consumer to be running again', async () => c.state() === 'running');
    expect(seen).toEqual([before.id, during.id]);
  });

  describe('in batches (handleBatch)', () => {
    /**
     * A batch consumer counting each event once (processed-events record) in Redis; its batch
     * handler throws on a product named 'always throws', after applying the events before it, as a
     * failing bulk request can leave part of a batch applied; `handle` throws on it too.
     */
    function batchCounter(name: string, topic: TopicSpec) {
      const { redis } = deps();
      const processed = createProcessedEvents(redis, 600);
      const batches: ConsumedEvent[][] = [];
      const single: string[] = [];
      const apply = async (event: EventEnvelope<any>) => {
        if (event.data.name === 'always throws') throw new Error('the handler cannot take this product');
        await processed.once(name, event.id, async () => void (await redis.incr(`test:count:${name}:${event.id}`)));
      };
      const spec: ConsumerSpec = {
        name,
        topics: [topic],
        types: ['product.upserted'],
        handle: async (event) => {
          single.push(event.id);
          await apply(event);
        },
        handleBatch: async (events) => {
          batches.push([...events]);
          for (const { event } of events) await apply(event);
        },
      };
      const count = async (eventId: string) => Number(await redis.get(`test:count:${name}:${eventId}`));
      return { spec, batches, single, count };
    }

    it('parks the one poisoned event of a batch and handles every other exactly once', async () => {
      const { kafka } = deps();
      const topic = await testTopic(kafka);
      const { spec, batches, single, count } = batchCounter(unique('batch-poison'), topic);
      const key = randomUUID(); // one partition, in this order
      const [a, b, poisoned, c, d] = [1, 2, 3, 4, 5].map((v) =>
        productEvent(v, key, v === 3 ? 'always throws' : undefined),
      );
      // Everything is on the topic before the consumer joins: its first fetch is one batch.
      await produce(kafka, topic.name, [
        { key, value: a! },
        { key, value: b! },
        { key, value: poisoned! },
        { key, value: '{"id": "not json' },
        { key, value: c! },
        { key, value: d! },
      ]);
      const running = consumers.start(spec);

      const entries = await parkedBy(running.groupId, 2);
      await waitFor('the events after the poisoned one', async () => running.stats().handled === 4);
      const goods = [a!, b!, c!, d!];
      expect(await Promise.all(goods.map((e) => count(e.id)))).toEqual([1, 1, 1, 1]);
      expect(await count(poisoned!.id)).toBe(0);
      expect(running.stats()).toEqual({ handled: 4, skipped: 0, deadLettered: 2 });
      // One batch of all five events; it failed, so they went one by one: the poisoned one 4 times.
      expect(batches[0]!.map((e) => e.event.id)).toEqual([a, b, poisoned, c, d].map((e) => e!.id));
      expect(single).toEqual([a!.id, b!.id, ...Array(4).fill(poisoned!.id), c!.id, d!.id]);
      const [failing, notJson] = entries.sort((x, y) => Number(x.original.offset) - Number(y.original.offset));
      expect(failing).toMatchObject({
        reason: 'handler_failed',
        attempts: 4,
        event_id: poisoned!.id,
        original: { offset: '2' },
      });
      expect(notJson).toMatchObject({ reason: 'invalid_event', attempts: 0, original: { offset: '3' } });
    });

    it('a batch delivered again (a crash after its handler, before the commit) changes nothing', async () => {
      const { kafka } = deps();
      const topic = await testTopic(kafka, 3);
      const name = unique('batch-again');
      const { spec, batches, count } = batchCounter(name, { ...topic, partitions: 3 });
      const events = Array.from({ length: 12 }, () => productEvent());
      await produce(
        kafka,
        topic.name,
        events.map((e) => ({ key: e.aggregate_id, value: e })),
      );
      const groupId = `pasar.${name}`;
      const handled = () => batches.flat().length;
      let c = consumers.start(spec, { groupId });
      await waitFor('the first delivery', async () => c.stats().handled === 12);
      await consumers.stop(c);
      expect(await Promise.all(events.map((e) => count(e.id)))).toEqual(Array(12).fill(1));
      // What a crash between the handler and the commit leaves: the group's offsets where they were.
      const admin = kafka.admin();
      await admin.connect();
      await admin.resetOffsets({ groupId, topic: topic.name, earliest: true });
      await admin.disconnect();

      c = consumers.start(spec, { groupId });
      await waitFor('the second delivery', async () => handled() === 24);
      expect(batches.length).toBeLessThan(24); // it came in batches, not one by one
      expect(await Promise.all(events.map((e) => count(e.id)))).toEqual(Array(12).fill(1));
      expect(c.stats()).toMatchObject({ handled: 12, deadLettered: 0 });
    });

    it("keeps each key's events in order in batches gathered across partitions", async () => {
      const { kafka } = deps();
      const topic = await testTopic(kafka, 3);
      const seen: ConsumedEvent[][] = [];
      const spec: ConsumerSpec = {
        name: unique('batch-order'),
        topics: [{ ...topic, partitions: 3 }],
        types: ['product.upserted'],
        handle: async () => {
          throw new Error('every event goes through handleBatch here');
        },
        handleBatch: async (events) => void seen.push([...events]),
      };
      const keys = Array.from({ length: 6 }, () => randomUUID());
      const versions = 20;
      // Interleaved: k1 v1, k2 v1 ... k6 v1, k1 v2 ...; each key on its own partition's order.
      const events = Array.from({ length: versions }, (_, v) => keys.map((k) => productEvent(v + 1, k))).flat();
      await produce(
        kafka,
        topic.name,
        events.map((e) => ({ key: e.aggregate_id, value: e })),
      );
      const running = consumers.start(spec);
      await waitFor('every event', async () => seen.flat().length === events.length);

      for (const key of keys) {
        const order = seen.flat().filter((e) => e.event.aggregate_id === key);
        expect(order.map((e) => e.event.aggregate_version)).toEqual(Array.from({ length: versions }, (_, v) => v + 1));
        expect(new Set(order.map((e) => e.ctx.partition)).size).toBe(1);
      }
      // The first fetch had every partition's events: one batch held more than one partition.
      expect(Math.max(...seen.map((b) => new Set(b.map((e) => e.ctx.partition)).size))).toBeGreaterThan(1);
      expect(seen.length).toBeLessThan(events.length);
      expect(running.stats()).toEqual({ handled: events.length, skipped: 0, deadLettered: 0 });
    });
  });

  it('a consumer started while Kafka is unreachable keeps trying and starts when it is back', async () => {
    const { kafka } = deps();
    const topic = await testTopic(kafka);
    const { spec, seen } = countingConsumer(unique('late-start'), topic);
    const link = cuttableLink();
    link.cut();
    const { brokers, clientId } = getConfig().kafka;
    const c = consumers.start(spec, {
      kafka: new Kafka({ clientId, brokers, socketFactory: link.socketFactory, logLevel: logLevel.NOTHING }),
      kafkaRetry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
      maxRestartDelayMs: 1000,
    });
    const event = productEvent();
    await produce(kafka, topic.name, [{ key: event.aggregate_id, value: event }]);
    await waitFor('a failed start', async () => c.state() === 'reconnecting');
    await new Promise((r) => setTimeout(r, 3000));
    expect(seen).toEqual([]);

    link.restore();
    await waitFor('the event, once Kafka is reachable', async () => seen.includes(event.id), 60_000);
    expect(c.state()).toBe('running');
  });
});
