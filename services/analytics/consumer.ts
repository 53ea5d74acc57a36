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
 * ClickHouse down or refusing inserts (too many parts): DependencyUnavailableError('clickhouse'),
 * which the runtime waits out, the event staying in Kafka; nothing is dead-lettered for an outage.
 */
import type { ClickHouseClient } from '../../platform/clients/clickhouse';
import type { Deps } from '../../platform/deps';
import { EVENT_TYPES, topicsFor } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import { DependencyUnavailableError } from '../../platform/dependency-errors';
import type { Logger } from '../../platform/logger';
import { isClickHouseOutage } from './outage';
import { toEventRow } from './rows';

export function createAnalyticsConsumer(deps: Pick<Deps, 'clickhouse'>, logger: Logger): ConsumerSpec {
  return analyticsSpec(deps.clickhouse, logger);
}

/** The spec for a given client (tests and the bench point one at a closed port or another database). */
export function analyticsSpec(clickhouse: ClickHouseClient, logger: Logger): ConsumerSpec {
  const log = logger.child({ consumer: 'analytics' });
  return {
    name: 'analytics',
    topics: topicsFor(EVENT_TYPES),
    types: EVENT_TYPES,
    async handle(event) {
      const row = toEventRow(event);
      try {
        await clickhouse.insert({ table: 'events', values: [row], format: 'JSONEachRow' });
      } catch (err) {
        if (isClickHouseOutage(err)) throw new DependencyUnavailableError('clickhouse', { cause: err });
        log.warn({ err, event_id: event.id }, 'analytics insert failed');
        throw err;
      }
    },
  };
}
