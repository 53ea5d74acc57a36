/**
 * Metrics of the Kafka consumers process: throughput and dead letters from each running consumer's
 * own counts, lag per group and partition and the dead-letter topic's depth read from Kafka when
 * scraped, at most once per LAG_REUSE_MS. Kafka being down makes the lag series go stale and
 * `pasar_consumer_lag_up` 0; it never fails the scrape or hangs it (each read is bounded by a timeout).
 */
import type { Admin, Kafka } from 'kafkajs';
import type { RunningConsumer } from '../kafka/consumer';
import { DEAD_LETTER_TOPIC } from '../kafka/dead-letter';
import { groupsLag, topicDepth } from './consumer-lag';
import { counter, gauge } from './registry';

const LAG_TIMEOUT_MS = 3000;
/**
 * A lag read asks Kafka for every group's offsets and every topic's watermarks (some twenty
 * requests), which cost this process ~0.1 s of CPU and Kafka ~20 ms: read at every scrape of the
 * local Prometheus (every 2 s), it was nearly all of this process's idle CPU. The alerts on lag
 * wait minutes (ConsumerLagHigh 5m, ConsumerNotConsuming 2m), so a read up to 15 s old (one scrape
 * interval of a production Prometheus) changes no verdict. The counts above stay exact per scrape.
 */
const LAG_REUSE_MS = 15_000;

export function registerConsumerMetrics(kafka: Kafka, running: RunningConsumer[]) {
  const byStat = { handled: 'handled', skipped: 'skipped', deadLettered: 'dead_lettered' } as const;
  // Counters mirror the consumers' own counts at scrape time: reset, then set to the running total.
  counter({
    name: 'pasar_consumer_messages_total',
    help: 'Messages a consumer finished, by result (handled, skipped, dead_lettered)',
    labelNames: ['consumer', 'group', 'result'],
    collect() {
      this.reset();
      for (const c of running) {
        const stats = c.stats();
        for (const [key, result] of Object.entries(byStat)) {
          this.inc({ consumer: c.name, group: c.groupId, result }, stats[key as keyof typeof byStat]);
        }
      }
    },
  });
  gauge({
    name: 'pasar_consumer_up',
    help: '1 while the consumer is in its group and consuming',
    labelNames: ['consumer', 'group'],
    collect() {
      for (const c of running) this.set({ consumer: c.name, group: c.groupId }, c.state() === 'running' ? 1 : 0);
    },
  });

  let admin: Admin | undefined;
  const readKafka = async () => {
    admin ??= kafka.admin();
    await admin.connect();
    const [lags, deadLetters] = await Promise.all([
      groupsLag(
        admin,
        running.map((c) => c.groupId),
      ),
      topicDepth(admin, DEAD_LETTER_TOPIC),
    ]);
    return { lags, deadLetters };
  };
  // One read of Kafka shared by the three gauges below (collected concurrently) and the scrapes that follow it.
  let last: { at: number; read: Promise<Awaited<ReturnType<typeof readKafka>> | undefined> } | undefined;
  const kafkaRead = () => {
    if (!last || Date.now() - last.at > LAG_REUSE_MS) {
      // A failed read is not kept: the next scrape asks again, so recovery shows at once.
      const read = withTimeout(readKafka(), LAG_TIMEOUT_MS).catch(() => {
        last = undefined;
        return undefined;
      });
      last = { at: Date.now(), read };
    }
    return last.read;
  };
  gauge({
    name: 'pasar_consumer_lag_up',
    help: '1 when the last lag read from Kafka succeeded',
    async collect() {
      this.set((await kafkaRead()) ? 1 : 0);
    },
  });
  gauge({
    name: 'pasar_dead_letter_messages',
    help: `Messages retained on ${DEAD_LETTER_TOPIC} (parked events, replayed or not)`,
    async collect() {
      const read = await kafkaRead();
      if (read) this.set(read.deadLetters);
    },
  });
  gauge({
    name: 'pasar_consumer_lag',
    help: 'Messages not yet committed by the group: high watermark minus committed offset',
    labelNames: ['group', 'topic', 'partition'],
    async collect() {
      this.reset();
      const read = await kafkaRead();
      for (const l of read?.lags ?? []) {
        this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
      }
    },
  });
  return {
    close: async () => {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
