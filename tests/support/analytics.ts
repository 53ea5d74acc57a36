/**
 * Analytics test support: a ClickHouse database of the test's own (migrated from
 * services/analytics/clickhouse, dropped after the file), so the dashboard's figures are the
 * test's events only and can be compared with Postgres for the same shoppers.
 */
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { getConfig } from '../../platform/config';
import { migrateClickHouse } from '../../platform/migrate/clickhouse';
import { unique } from './deps';

export function useAnalyticsDatabase(): string {
  const database = unique('pasar_test').replace(/-/g, '_');
  const { url } = getConfig().clickhouse;
  beforeAll(async () => {
    await migrateClickHouse(url, database, path.resolve(process.cwd(), 'services/analytics/clickhouse'));
  });
  afterAll(async () => {
    const client = createClient({ url });
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).finally(() => client.close());
  });
  return database;
}
