/**
 * Publishes `search.no_results` straight to Kafka (the product-views topic), at most once, for the
 * dashboard's list of searches that found nothing. Like cart adds and product views: a statistic
 * is worth no Postgres write per search, so misses are buffered (bounded) and sent in batches by a
 * background flush that never delays the search; when Kafka is slow or down a batch is dropped and
 * logged. The list counts searches per query, so a lost event only lowers a count.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { createStatisticsPublisher } from '../../platform/kafka/statistics-publisher';
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
  const publisher = createStatisticsPublisher(kafka, logger, {
    topic: TOPICS.views.name,
    what: 'zero-result searches',
    maxBuffered,
    flushEveryMs,
  });
  const record = (miss: NoResultsQuery) => publisher.send(message(miss, Date.now()));
  return { record, stats: publisher.stats, close: publisher.close };
}
