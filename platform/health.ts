/**
 * Readiness: one real request to each dependency a process uses, each bounded by a timeout, run
 * in parallel. A dependency that is down is reported by name with the reason; nothing hangs.
 * Each process checks only what it uses: an outage of something it never touches (analytics'
 * ClickHouse, say) must not take it out of service. Liveness never checks a dependency.
 */
import type { Deps } from './deps';

export type DependencyName = 'postgres' | 'redis' | 'kafka' | 'elasticsearch' | 'clickhouse' | 'temporal';

/**
 * What each process talks to. The API writes events to the outbox in Postgres, never to Kafka;
 * the relay alone publishes them. The payment gateway is left out on purpose: it is an outside
 * party, and its outage is answered per request (503 naming it), not by taking pods out.
 */
export const PROCESS_DEPENDENCIES = {
  api: ['postgres', 'redis', 'temporal'],
  worker: ['postgres', 'redis', 'temporal'],
  relay: ['postgres', 'kafka'],
} as const satisfies Record<string, readonly DependencyName[]>;

export type ProcessKind = keyof typeof PROCESS_DEPENDENCIES;

export interface CheckResult {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  down: DependencyName[];
  checks: Partial<Record<DependencyName, CheckResult>>;
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

/** Checks the named dependencies (a process's own list); `down` lists those that failed. */
export async function checkReadiness(deps: Deps, names: readonly DependencyName[]): Promise<Readiness> {
  const timeoutMs = deps.config.dependencyTimeoutMs;
  const all = probes(deps);
  const entries = await Promise.all(
    names.map(async (name): Promise<[DependencyName, CheckResult]> => {
      const started = performance.now();
      try {
        await withTimeout(all[name](), timeoutMs, name);
        return [name, { status: 'up', latency_ms: Math.round(performance.now() - started) }];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return [name, { status: 'down', latency_ms: Math.round(performance.now() - started), error }];
      }
    }),
  );
  const checks: Readiness['checks'] = Object.fromEntries(entries);
  const down = entries.filter(([, r]) => r.status === 'down').map(([n]) => n);
  return { status: down.length === 0 ? 'ready' : 'not_ready', down, checks };
}
