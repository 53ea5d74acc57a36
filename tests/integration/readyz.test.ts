/**
 * Readiness per process, against the real stack. A dependency is made "down" for one process by
 * pointing that process's config at a closed port (127.0.0.1:1), never by stopping the shared
 * component that other tests are using.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../api/app';
import { getConfig, type Config } from '../../platform/config';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import type { Readiness } from '../../platform/health';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../services';
import { unique } from '../support/deps';
import { sansRequestId } from '../support/http';

const CLOSED = '127.0.0.1:1';

/** The API over HTTP on an ephemeral port, built from `config`. */
function useApi(change: (c: Config) => Config) {
  let deps: Deps;
  let server: ServerType;
  let base = '';
  beforeAll(async () => {
    const logger = createLogger('silent');
    deps = createDeps(change(getConfig()));
    const app = createApp(deps, createServices(deps, logger), logger);
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await closeDeps(deps);
  });
  return { url: (path: string) => `${base}${path}`, deps: () => deps };
}

const readyz = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Readiness };
};

describe('the API process', () => {
  describe('with Elasticsearch and ClickHouse unreachable (the API uses neither)', () => {
    const api = useApi((c) => ({
      ...c,
      elasticsearch: { url: `http://${CLOSED}` },
      clickhouse: { ...c.clickhouse, url: `http://${CLOSED}` },
    }));

    it('stays ready, checking exactly Postgres, Redis and Temporal', async () => {
      const { status, body } = await readyz(api.url('/readyz'));
      expect(body.down).toEqual([]);
      expect(status).toBe(200);
      expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'redis', 'temporal']);
    });
  });

  describe('with Redis unreachable', () => {
    const api = useApi((c) => ({ ...c, redis: { url: `redis://${CLOSED}` } }));
    let token = '';
    beforeAll(async () => {
      // Issued by a process whose Redis works; the broken one only has to verify it.
      const ok = createDeps(getConfig());
      try {
        const services = createServices(ok, createLogger('silent'));
        const user = await services.auth.register({
          email: `${unique('ready')}@example.id`,
          password: 'kopi-susu-gula-aren',
          first_name: 'Rina',
          last_name: 'Saputri',
          phone: '+6281200000000',
        });
        token = (await services.tokens.issue(user.id)).access_token;
      } finally {
        await closeDeps(ok);
      }
    });

    it('is 503 naming redis, quickly', async () => {
      const started = Date.now();
      const { status, body } = await readyz(api.url('/readyz'));
      expect(status).toBe(503);
      expect(body.down).toEqual(['redis']);
      expect(body.checks.redis?.status).toBe('down');
      expect(body.checks.postgres?.status).toBe('up');
      expect(Date.now() - started).toBeLessThan(10_000); // answered, not hung
    });

    it('answers a request that needs Redis with a 503 naming it, and serves one that can do without', async () => {
      const me = await fetch(api.url('/users/me'), { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(503);
      expect(sansRequestId((await me.json()) as { error?: Record<string, unknown> })).toEqual({
        error: {
          code: 'dependency_unavailable',
          message: 'redis is unavailable; try again shortly',
          details: { dependency: 'redis' },
        },
      });
      expect((await fetch(api.url('/products?page_size=1'))).status).toBe(200);
    });

    it('stays live: /healthz asks no dependency', async () => {
      const res = await fetch(api.url('/healthz'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Runs a real entry point with `env`, waits until it is at work, and returns /healthz and /readyz. */
async function probeProcess(entry: string, portVar: string, env: Record<string, string>, readyLine: RegExp) {
  const port = await freePort();
  const child = spawn('node', ['--import', 'tsx', entry], {
    env: { ...process.env, LOG_LEVEL: 'info', [portVar]: String(port), ...env },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    const base = `http://127.0.0.1:${port}`;
    // Probed once the process is at work: the worker's start-up (bundling workflows) blocks its event loop.
    const started = () => /health server listening/.test(output) && readyLine.test(output);
    // Up to 90 s: on a loaded 2-core machine bundling the workflows alone has taken over 30 s.
    for (let i = 0; i < 450 && !started(); i++) await new Promise((r) => setTimeout(r, 200));
    if (!started()) throw new Error(`${entry} never started: ${output.slice(-2000)}`);
    const live = await fetch(`${base}/healthz`);
    return { healthz: live.status, ...(await readyz(`${base}/readyz`)) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

describe('the processes without HTTP of their own serve probes on their health port', () => {
  jest.setTimeout(120_000);
  const elsewhere = { ELASTICSEARCH_URL: `http://${CLOSED}`, CLICKHOUSE_URL: `http://${CLOSED}` };

  it('the outbox relay checks Postgres and Kafka only', async () => {
    const r = await probeProcess(
      'workers/outbox-relay.ts',
      'RELAY_HEALTH_PORT',
      {
        ...elsewhere,
        REDIS_URL: `redis://${CLOSED}`,
      },
      /outbox relay running/,
    );
    expect(r.healthz).toBe(200);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.checks).sort()).toEqual(['kafka', 'postgres']);
  });

  it('the outbox relay is not ready without Kafka, and still live', async () => {
    const r = await probeProcess(
      'workers/outbox-relay.ts',
      'RELAY_HEALTH_PORT',
      { KAFKA_BROKERS: CLOSED },
      /outbox relay running/,
    );
    expect(r.healthz).toBe(200);
    expect(r.status).toBe(503);
    expect(r.body.down).toEqual(['kafka']);
  });

  it('the Temporal worker checks Postgres, Redis and Temporal only', async () => {
    const r = await probeProcess(
      'workers/temporal-worker.ts',
      'WORKER_HEALTH_PORT',
      {
        ...elsewhere,
        KAFKA_BROKERS: CLOSED,
        TEMPORAL_TASK_QUEUE: unique('ready-probe'),
        RECONCILE_SCHEDULE: 'off',
      },
      /worker polling/,
    );
    expect(r.healthz).toBe(200);
    expect(r.body.down).toEqual([]);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.checks).sort()).toEqual(['postgres', 'redis', 'temporal']);
  });
});
