/**
 * The stores `scripts/migrate.ts` brings to the code's schema, in the order it does: each can
 * apply what is missing (idempotently) or only say what a run would apply, touching nothing.
 * Paths are read relative to the working directory, as the image lays them out (Dockerfile).
 */
import path from 'node:path';
import { createElasticsearch } from '../../platform/clients/elasticsearch';
import { createKafka } from '../../platform/clients/kafka';
import { createPrisma } from '../../platform/clients/prisma';
import type { Config } from '../../platform/config';
import type { DependencyName } from '../../platform/health';
import { createLogger } from '../../platform/logger';
import { migrateClickHouse, pendingClickHouse } from '../../platform/migrate/clickhouse';
import { migrateKafka, pendingKafka } from '../../platform/migrate/kafka';
import { migratePostgres, pendingPostgres } from '../../platform/migrate/postgres';
import { createCatalogSnapshot } from '../../services/catalog/snapshot';
import { migrateElasticsearch, pendingElasticsearch } from '../../services/search/migrate';

/** Named as the readiness checks name them (platform/health.ts), so a process can wait for the ones it checks. */
export const MIGRATED_STORES = [
  'postgres',
  'clickhouse',
  'elasticsearch',
  'kafka',
] as const satisfies readonly DependencyName[];
export type MigratedStore = (typeof MIGRATED_STORES)[number];

export interface StoreMigration {
  /** Applies what is missing; what it did (empty: up to date). */
  apply(): Promise<string[]>;
  /** What apply() would do, doing none of it (empty: up to date). */
  pending(): Promise<string[]>;
}

export const POSTGRES_MIGRATIONS = 'prisma/migrations';
export const CLICKHOUSE_MIGRATIONS = 'services/analytics/clickhouse';

export function storeMigrations(config: Config, root = process.cwd()): Record<MigratedStore, StoreMigration> {
  const postgresDir = path.join(root, POSTGRES_MIGRATIONS);
  const clickhouseDir = path.join(root, CLICKHOUSE_MIGRATIONS);
  const { url: clickhouseUrl, database } = config.clickhouse;
  const timeout = config.dependencyTimeoutMs;
  const withElasticsearch = async <T>(run: (es: ReturnType<typeof createElasticsearch>) => Promise<T>) => {
    const es = createElasticsearch(config.elasticsearch.url, timeout);
    return run(es).finally(() => es.close());
  };
  const kafka = () => createKafka(config.kafka.brokers, config.kafka.clientId, timeout);
  return {
    postgres: {
      apply: () => migratePostgres(config.postgres.url, postgresDir),
      pending: () => pendingPostgres(config.postgres.url, postgresDir),
    },
    clickhouse: {
      apply: () => migrateClickHouse(clickhouseUrl, database, clickhouseDir),
      pending: () => pendingClickHouse(clickhouseUrl, database, clickhouseDir),
    },
    elasticsearch: {
      apply: () =>
        withElasticsearch(async (es) => {
          const db = createPrisma(config.postgres.url, timeout);
          return migrateElasticsearch(es, createCatalogSnapshot(db), createLogger('warn', 'migrate')).finally(() =>
            db.$disconnect(),
          );
        }),
      pending: () => withElasticsearch(pendingElasticsearch),
    },
    kafka: {
      apply: () => migrateKafka(kafka(), config.kafka.replicationFactor),
      pending: () => pendingKafka(kafka()),
    },
  };
}

/** `postgres,kafka` → those stores in migration order; an unknown name is refused. */
export function parseStores(list: string | undefined): MigratedStore[] {
  if (list === undefined) return [...MIGRATED_STORES];
  const names = list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(MIGRATED_STORES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`--only: ${unknown.join(', ') || '(empty)'}: not one of ${MIGRATED_STORES.join(', ')}`);
  return MIGRATED_STORES.filter((s) => names.includes(s));
}
