/**
 * Writes rows of ClickHouse `events`, the one table the analytics consumer fills. ClickHouse down
 * or refusing inserts (too many parts) is DependencyUnavailableError('clickhouse') (outage.ts), so
 * the consumer's runtime waits it out with the event still in Kafka.
 */
import type { ClickHouseClient } from '../../platform/clients/clickhouse';
import { withClickHouse } from './outage';
import type { EventRow } from './rows';

export function createAnalyticsEventWriter(clickhouse: ClickHouseClient) {
  return {
    /** Inserts one row; a redelivered event's row has the same id and is folded away by the table. */
    write: (row: EventRow) =>
      withClickHouse(() => clickhouse.insert({ table: 'events', values: [row], format: 'JSONEachRow' })),
  };
}

export type AnalyticsEventWriter = ReturnType<typeof createAnalyticsEventWriter>;
