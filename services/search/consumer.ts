/**
 * The search indexer: keeps the `products` alias in step with `product.upserted` and
 * `inventory.changed`. Idempotent by version-checked writes, not by a processed-events record:
 * each half of a document carries the aggregate version it came from and is replaced only by a
 * newer one (document.ts, indexer.ts), so a redelivered, replayed or late event writes nothing.
 * Both events carry state, not steps (the whole product; absolute stock numbers), so a gap in
 * versions is applied as is: the newest state wins.
 *
 * Elasticsearch down: the handler throws DependencyUnavailableError, which the runtime waits
 * out (retrying with backoff, heartbeating, never parking the event on the dead-letter topic);
 * the offset is not committed until the write succeeds, so the consumer catches up from there
 * when Elasticsearch is back.
 */
import { topicsFor } from '../../platform/event-catalog';
import type { ConsumerSpec, EventOf } from '../../platform/kafka/consumer-spec';
import { DependencyUnavailableError } from '../../platform/dependency-errors';
import type { Logger } from '../../platform/logger';
import { fromProductEvent, fromStockEvent, type DocumentChange } from './document';
import { isUnavailable } from './errors';
import type { Indexer } from './indexer';

const TYPES = ['product.upserted', 'inventory.changed'] as const;

/** What the consumer writes through: the shop's indexer (services/index.ts), or a scratch index's in tests. */
export interface SearchConsumerDeps {
  searchIndexer: Pick<Indexer, 'apply' | 'applyMany'>;
}

/**
 * How long a batch gathers: a product edit is searchable only after Elasticsearch's next refresh
 * (every second) anyway, so a fifth of a second more costs a shopper little, and a burst of stock
 * changes (a checkout reserves, pays, ships) becomes one mget and one bulk.
 */
export const SEARCH_LINGER_MS = 200;

const orUnavailable = (err: unknown) => {
  throw isUnavailable(err) ? new DependencyUnavailableError('elasticsearch', { cause: err }) : err;
};

/** The change an event makes to a search document. */
export function changeOf(event: EventOf<(typeof TYPES)[number]>): DocumentChange {
  if (event.type === 'product.upserted') return fromProductEvent(event.data, event.aggregate_version);
  return fromStockEvent(event.data, event.aggregate_version);
}

export function createSearchConsumer(deps: SearchConsumerDeps, logger: Logger): ConsumerSpec<(typeof TYPES)[number]> {
  const log = logger.child({ consumer: 'search' });
  return {
    name: 'search',
    topics: topicsFor(TYPES),
    types: TYPES,
    async handle(event) {
      const change = changeOf(event);
      const result = await deps.searchIndexer.apply(change).catch(orUnavailable);
      log.debug({ id: change.id, type: event.type, version: event.aggregate_version, result }, 'indexed');
    },
    // One mget and one bulk for the batch; a product's several events in it are merged in order
    // into one write (indexer.ts applyMany), so the newest version still wins.
    async handleBatch(events) {
      const written = await deps.searchIndexer
        .applyMany(events.map(({ event }) => changeOf(event)))
        .catch(orUnavailable);
      log.debug({ events: events.length, written }, 'indexed a batch');
    },
    batching: { lingerMs: SEARCH_LINGER_MS },
  };
}
