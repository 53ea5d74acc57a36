/**
 * Publishes `search.no_results` straight to Kafka (the product-views topic), at most once, for the
 * dashboard's list of searches that found nothing. Like cart adds and product views: a statistic
 * is worth no Postgres write per search, so misses are buffered (bounded) and sent in batches by a
 * background flush that never delays the search; when Kafka is slow or down a batch is dropped and
 * logged. The list counts searches per query, so a lost event only lowers a count.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { TOPICS } from '../../platform/kafka/topics';
import type { Logger } from '../../platform/logger';
import type { NoResultsQuery } from '../search/query';

/** The query as counted: lower case, single spaces, so "Hp  Murah" and "hp murah" are one row. */
export const normalizeQuery = (q: string) => q.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');

function message(miss: NoResultsQuery, now: number): Message {
  const id = randomUUID();
  const query = normalizeQuery(miss.q);
  const event = {
    id,
    type: 'search.no_results',
    aggregate_id: query,
    aggregate_version: now, // no numbered history: the search time only grows per query
    occurred_at: new Date(now).toISOString(),
    version: 1,
    data: { query, category: miss.category ?? null, did_you_mean: miss.did_you_mean },
  };
  return { key: query, value: JSON.stringify(event), headers: { event_id: id, event_type: 'search.no_results' } };
}

export function createSearchEventPublisher(kafka: Kafka, logger: Logger, maxBuffered = 1000, flushEveryMs = 200) {
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
        const p = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
        await p.connect();
        producer = p;
      }
      await producer.send({ topic: TOPICS.views.name, acks: 1, timeout: 2000, messages: batch });
    } catch (err) {
      dropped += batch.length;
      void producer?.disconnect().catch(() => undefined);
      producer = undefined;
      logger.warn(
        { err, dropped: batch.length, total_dropped: dropped },
        'zero-result searches dropped: Kafka unavailable',
      );
    }
  }

  const record = (miss: NoResultsQuery) => {
    if (buffer.length >= maxBuffered) {
      dropped += 1;
      return;
    }
    buffer.push(message(miss, Date.now()));
    timer ??= setTimeout(() => {
      timer = undefined;
      chain = chain.then(flush);
    }, flushEveryMs).unref();
  };
  return {
    record,
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
