/**
 * `npm run migrate`: brings every store to the code's schema, idempotently:
 * Postgres (prisma/migrations), ClickHouse (services/analytics/clickhouse), the Elasticsearch
 * products index, and the Kafka topics. Each step names its component if it fails.
 */
import path from 'node:path';
import { createElasticsearch } from '../platform/clients/elasticsearch';
import { createKafka } from '../platform/clients/kafka';
import { getConfig } from '../platform/config';
import { migrateClickHouse } from '../platform/migrate/clickhouse';
import { migrateKafka } from '../platform/migrate/kafka';
import { migratePostgres } from '../platform/migrate/postgres';
import { createPrisma } from '../platform/clients/prisma';
import { createLogger } from '../platform/logger';
import { createCatalogSnapshot } from '../services/catalog/snapshot';
import { migrateElasticsearch } from '../services/search/migrate';

const config = getConfig();
const root = process.cwd();

async function step(component: string, run: () => Promise<string[] | boolean>) {
  try {
    const result = await run();
    const what = Array.isArray(result)
      ? result.length
        ? result.join(', ')
        : 'up to date'
      : result
        ? 'created'
        : 'up to date';
    console.log(`[migrate] ${component}: ${what}`);
  } catch (err) {
    console.error(`[migrate] ${component} FAILED: ${(err as Error).message} (is the stack up? npm run stack:status)`);
    process.exitCode = 1;
    throw err;
  }
}

try {
  await step('postgres', () => migratePostgres(config.postgres.url, path.join(root, 'prisma/migrations')));
  await step('clickhouse', () =>
    migrateClickHouse(
      config.clickhouse.url,
      config.clickhouse.database,
      path.join(root, 'services/analytics/clickhouse'),
    ),
  );
  const es = createElasticsearch(config.elasticsearch.url, config.dependencyTimeoutMs);
  const db = createPrisma(config.postgres.url, config.dependencyTimeoutMs);
  await step('elasticsearch', () =>
    migrateElasticsearch(es, createCatalogSnapshot(db), createLogger('warn', 'migrate')),
  ).finally(() => Promise.all([es.close(), db.$disconnect()]));
  const kafka = createKafka(config.kafka.brokers, config.kafka.clientId, config.dependencyTimeoutMs);
  await step('kafka', () => migrateKafka(kafka, config.kafka.replicationFactor));
} catch {
  process.exit(1);
}
