/** ClickHouse HTTP client. The stack runs ClickHouse 18.16, so SQL stays in its dialect. */
import { createClient, type ClickHouseClient } from '@clickhouse/client';

export type { ClickHouseClient };

export function createClickHouse(url: string, database: string, timeoutMs: number): ClickHouseClient {
  return createClient({ url, database, request_timeout: Math.max(timeoutMs, 10000) });
}
