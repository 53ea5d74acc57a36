/**
 * Readiness: one real request to each dependency, each bounded by a timeout, run in parallel.
 * A dependency that is down is reported by name with the reason; nothing hangs.
 */
import type { Deps } from './deps';

export type DependencyName = 'postgres' | 'redis' | 'kafka' | 'elasticsearch' | 'clickhouse' | 'temporal';

export interface CheckResult {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  down: DependencyName[];
  checks: Record<DependencyName, CheckResult>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function probes(deps: Deps): Record<DependencyName, () => Promise<unknown>> {
  return {
    postgres: () => deps.db.$queryRawUnsafe('SELECT 1'),
    redis: () => deps.redis.ping(),
    kafka: async () => {
      const admin = deps.kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    // Not ping(): the integ-test-zip distribution lacks the rest-root module that serves GET /.
    elasticsearch: async () => {
      const health = await deps.search.cluster.health();
      if (health.status === 'red') throw new Error('cluster status is red');
    },
    clickhouse: async () => {
      const r = await deps.clickhouse.ping();
      if (!r.success) throw r.error;
    },
    temporal: () =>
      deps.temporal.connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' }),
  };
}

/** Checks every dependency; `down` lists the names of those that failed. */
export async function checkReadiness(deps: Deps): Promise<Readiness> {
  const timeoutMs = deps.config.dependencyTimeoutMs;
  const entries = await Promise.all(
    Object.entries(probes(deps)).map(async ([name, probe]): Promise<[DependencyName, CheckResult]> => {
      const started = performance.now();
      try {
        await withTimeout(probe(), timeoutMs, name);
        return [name as DependencyName, { status: 'up', latency_ms: Math.round(performance.now() - started) }];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return [name as DependencyName, { status: 'down', latency_ms: Math.round(performance.now() - started), error }];
      }
    }),
  );
  const checks = Object.fromEntries(entries) as Record<DependencyName, CheckResult>;
  const down = entries.filter(([, r]) => r.status === 'down').map(([n]) => n);
  return { status: down.length === 0 ? 'ready' : 'not_ready', down, checks };
}
