/**
 * The search indexer: keeps the `products` alias in step with `product.upserted` and
 * `inventory.changed`. Idempotent by version-checked writes, not by a processed-events record:
 * each half of a document carries the aggregate version it came from and is replaced only by a
 * newer one (document.ts, indexer.ts), so a redelivered, replayed or late event writes nothing.
 * Both events carry state, not steps (the whole product; absolute stock numbers), so a gap in
 * versions is applied as is: the newest state wins.
 *
 * Elasticsearch down: the handler waits for it (with backoff, up to `waitForElasticsearchMs`),
 * then throws so the runtime retries; nothing is lost because the offset is not committed until
 * the write succeeds, and the consumer catches up from there when Elasticsearch is back.
 */
import type { EventData } from '../../platform/event-catalog';
import { topicsFor } from '../../platform/event-catalog';
import type { Deps } from '../../platform/deps';
import type { EventEnvelope } from '../../platform/events';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import type { Logger } from '../../platform/logger';
import { fromProductEvent, fromStockEvent, type DocumentChange } from './document';
import { isUnavailable } from './errors';
import { createIndexer, type Indexer } from './indexer';

const TYPES = ['product.upserted', 'inventory.changed'] as const;

export interface SearchConsumerOptions {
  /** The index or alias written (tests use a scratch index). */
  index?: string;
  /** How long one event waits for an unreachable Elasticsearch before the runtime's retry takes over. */
  waitForElasticsearchMs?: number;
}

/** The change an event makes to a search document. */
export function changeOf(event: EventEnvelope): DocumentChange {
  if (event.type === 'product.upserted')
    return fromProductEvent(event.data as EventData<'product.upserted'>, event.aggregate_version);
  return fromStockEvent(event.data as EventData<'inventory.changed'>, event.aggregate_version);
}

async function applyWaiting(indexer: Indexer, change: DocumentChange, waitMs: number, logger: Logger) {
  const deadline = Date.now() + waitMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await indexer.apply(change);
    } catch (err) {
      if (!isUnavailable(err) || Date.now() + delay > deadline) throw err;
      logger.warn({ id: change.id, delay }, 'elasticsearch unavailable; waiting to index');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export function createSearchConsumer(deps: Deps, logger: Logger, options: SearchConsumerOptions = {}): ConsumerSpec {
  const indexer = createIndexer(deps.search, options.index);
  const waitMs = options.waitForElasticsearchMs ?? 20_000;
  const log = logger.child({ consumer: 'search' });
  return {
    name: 'search',
    topics: topicsFor(TYPES),
    types: TYPES,
    async handle(event) {
      if (!(TYPES as readonly string[]).includes(event.type)) return;
      const change = changeOf(event);
      const result = await applyWaiting(indexer, change, waitMs, log);
      log.debug({ id: change.id, type: event.type, version: event.aggregate_version, result }, 'indexed');
    },
  };
}
