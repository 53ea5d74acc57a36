/**
 * The process's connections to every real component, built once at the entry point and
 * passed down (no module-level singletons), and closed together on shutdown.
 */
import type { Config } from './config';
import { createClickHouse, type ClickHouseClient } from './clients/clickhouse';
import { createElasticsearch, type Search } from './clients/elasticsearch';
import { createKafka, type Kafka } from './clients/kafka';
import { createPrisma, type Db } from './clients/prisma';
import { createRedis, type Redis } from './clients/redis';
import { createTemporal, type TemporalHandle } from './clients/temporal';

export interface Deps {
  config: Config;
  db: Db;
  redis: Redis;
  kafka: Kafka;
  search: Search;
  clickhouse: ClickHouseClient;
  temporal: TemporalHandle;
}

export function createDeps(config: Config): Deps {
  const t = config.dependencyTimeoutMs;
  const redis = createRedis(config.redis.url, t);
  // ioredis reports a lost connection as an 'error' event; readiness reports it, so don't crash.
  redis.on('error', () => undefined);
  return {
    config,
    db: createPrisma(config.postgres.url, t),
    redis,
    kafka: createKafka(config.kafka.brokers, config.kafka.clientId, t),
    search: createElasticsearch(config.elasticsearch.url, t),
    clickhouse: createClickHouse(config.clickhouse.url, config.clickhouse.database, t),
    temporal: createTemporal(config.temporal.address, config.temporal.namespace),
  };
}

/** Closes every connection; errors are ignored because the process is going away. */
export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.allSettled([
    deps.db.$disconnect(),
    deps.redis.quit().catch(() => deps.redis.disconnect()),
    deps.search.close(),
    deps.clickhouse.close(),
    deps.temporal.connection.close(),
  ]);
}
