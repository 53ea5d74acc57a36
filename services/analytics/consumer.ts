/**
 * The analytics consumer (group `pasar.analytics`): every domain event becomes one row of
 * ClickHouse `events` (services/analytics/rows.ts); order metrics are derived from those rows at
 * query time (the `order_metrics` view, services/analytics/queries.ts).
 *
 * Idempotent without a gate: a redelivered or replayed event is the same row with the same id,
 * which the ReplacingMergeTree folds away and every query ignores (they group by event id or by
 * order before counting), on 18.16 as on a current ClickHouse. No Redis "seen" record is needed,
 * so a crash between the insert and the offset commit cannot double-count either.
 *
 * ClickHouse down or refusing inserts (too many parts): the writer (event-writer.ts) throws
 * DependencyUnavailableError('clickhouse'), which the runtime waits out, the event staying in Kafka; nothing is dead-lettered for an outage.
 */
import { DependencyUnavailableError } from '../../platform/dependency-errors';
import { EVENT_TYPES, topicsFor } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import type { Logger } from '../../platform/logger';
import type { AnalyticsEventWriter } from './event-writer';
import { toEventRow } from './rows';

/** Where rows go: the shop's ClickHouse (services/index.ts), or one of a test's or the bench's own. */
export interface AnalyticsConsumerDeps {
  analyticsEvents: Pick<AnalyticsEventWriter, 'write' | 'writeMany'>;
}

/**
 * How long a batch gathers: the dashboard reads figures by day, so a second's delay costs nothing,
 * while one insert a second instead of one per event spares ClickHouse a part (and its merges) per
 * event, the largest share of its CPU per order (docs/performance.md).
 */
export const ANALYTICS_LINGER_MS = 1000;

export function createAnalyticsConsumer(deps: AnalyticsConsumerDeps, logger: Logger): ConsumerSpec {
  const log = logger.child({ consumer: 'analytics' });
  return {
    name: 'analytics',
    topics: topicsFor(EVENT_TYPES),
    types: EVENT_TYPES,
    async handle(event) {
      try {
        await deps.analyticsEvents.write(toEventRow(event));
      } catch (err) {
        // An outage is waited out by the runtime; anything else is this row's problem, worth a line.
        if (!(err instanceof DependencyUnavailableError))
          log.warn({ err, event_id: event.id }, 'analytics insert failed');
        throw err;
      }
    },
    // One INSERT for the batch. A row ClickHouse refuses fails the whole insert; the runtime then
    // takes the events one by one, so only that row's event is retried and parked.
    async handleBatch(events) {
      await deps.analyticsEvents.writeMany(events.map(({ event }) => toEventRow(event)));
    },
    batching: { lingerMs: ANALYTICS_LINGER_MS },
  };
}
