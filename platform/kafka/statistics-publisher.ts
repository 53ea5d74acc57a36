/**
 * Sends statistics events (a cart's first add, a search that found nothing) straight to Kafka, at
 * most once: such a statistic is worth no Postgres write beside the request that makes it, nor a
 * delay to it. Messages are buffered (bounded: past `maxBuffered` they are counted and dropped)
 * and sent in batches by a background flush, one at a time so one producer serves them; when
 * Kafka is slow or down a batch is dropped and logged, and the producer is made anew next time.
 * Whatever counts these events must tolerate a lost one (they lower a count, never move money).
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from '../logger';

export interface StatisticsPublisherOptions {
  /** The topic the messages go to. */
  topic: string;
  /** What is dropped, for the log line: "cart events", "zero-result searches". */
  what: string;
  maxBuffered?: number;
  flushEveryMs?: number;
}

export function createStatisticsPublisher(kafka: Kafka, logger: Logger, options: StatisticsPublisherOptions) {
  const { topic, what, maxBuffered = 1000, flushEveryMs = 200 } = options;
  let buffer: Message[] = [];
  let timer: NodeJS.Timeout | undefined;
  let producer: Producer | undefined;
  let chain: Promise<void> = Promise.resolve(); // one flush at a time, so one producer
  let dropped = 0;

  async function flush() {
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    try {
      if (!producer) {
        // One quick attempt: a statistic is not worth kafkajs's patient retries.
        const p = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
        await p.connect();
        producer = p;
      }
      await producer.send({ topic, acks: 1, timeout: 2000, messages: batch });
    } catch (err) {
      dropped += batch.length;
      void producer?.disconnect().catch(() => undefined);
      producer = undefined;
      logger.warn({ err, dropped: batch.length, total_dropped: dropped }, `${what} dropped: Kafka unavailable`);
    }
  }

  return {
    /** Buffers one message; never waits and never throws. */
    send(message: Message) {
      if (buffer.length >= maxBuffered) {
        dropped += 1;
        return;
      }
      buffer.push(message);
      timer ??= setTimeout(() => {
        timer = undefined;
        chain = chain.then(flush);
      }, flushEveryMs).unref();
    },
    stats: () => ({ dropped, buffered: buffer.length }),
    /** Sends what is buffered and disconnects (on shutdown). */
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await (chain = chain.then(flush));
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
    },
  };
}
