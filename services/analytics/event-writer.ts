/**
 * Writes rows of ClickHouse `events`, the one table the analytics consumer fills. ClickHouse down
 * or refusing inserts (too many parts) is DependencyUnavailableError('clickhouse') (outage.ts), so
 * the consumer's runtime waits it out with the event still in Kafka.
 */
import type { ClickHouseClient } from '../../platform/clients/clickhouse';
import { withClickHouse } from './outage';
import type { EventRow } from './rows';

export function createAnalyticsEventWriter(clickhouse: ClickHouseClient) {
  /**
   * Inserts rows in one INSERT: one part for ClickHouse to write and later merge, however many
   * rows (each insert is a part; a row each cost ClickHouse more CPU than the rows themselves).
   * All or nothing: a block this size is written atomically. A redelivered event's row has the
   * same id and is folded away by the table.
   */
  const writeMany = async (rows: EventRow[]) => {
    if (rows.length === 0) return;
    await withClickHouse(() => clickhouse.insert({ table: 'events', values: rows, format: 'JSONEachRow' }));
  };
  return {
    writeMany,
    /** Inserts one row. */
    write: (row: EventRow) => writeMany([row]),
  };
}

export type AnalyticsEventWriter = ReturnType<typeof createAnalyticsEventWriter>;
