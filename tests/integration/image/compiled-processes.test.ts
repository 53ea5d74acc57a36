/**
 * The production image, without Docker: `npm run build`, then the Dockerfile's runtime stage
 * replayed into a directory (production dependencies only), then the API, the worker, the relay
 * and the consumers started from compiled JavaScript there in NODE_ENV=production against the
 * real stack, and a checkout paid end to end through them. The worker runs on a task queue of its
 * own and the payment gateway is a simulator of the test's own that shares its secrets.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assembleRuntime, type RuntimeImage } from '../../../scripts/image/assemble-runtime';
import { unique } from '../../support/deps';
import { client, type Client } from '../../support/http';
import { CARDS, checkout, newProduct, orderStatus, shopperWithCart, waitFor } from '../../support/shop';
import { kill } from '../../support/worker-process';
import { freePort, productionSecrets, startProcess, type RunningProcess } from './processes';

const root = process.cwd();
const zipkin = `http://127.0.0.1:${process.env.ZIPKIN_PORT ?? 9411}`;
/** Each compiled process traces as `<this>-<entry>` into the stack's Zipkin. */
const traceService = unique('pasar-image');

interface ZipkinSpan {
  traceId: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}
/** The database a client span talks to (the attribute's name changed across semantic conventions). */
const dbSystem = (s: ZipkinSpan) => s.tags?.['db.system.name'] ?? s.tags?.['db.system'];
const layerCache = path.join(process.env.PASAR_CACHE_DIR ?? '/var/cache/pasar', 'image-layers');

describe('the production image: compiled processes, production dependencies only', () => {
  let image: RuntimeImage;
  let env: Record<string, string>;
  let gateway: ChildProcess;
  const running: Record<string, RunningProcess> = {};
  const ports = { api: 0, apiProbes: 0, worker: 0, temporalMetrics: 0, relay: 0, consumers: 0, gateway: 0 };
  const adminEmail = 'image-test-admin@pasar.test';
  const adminPassword = 'image-test-admin-password-1';
  let api: Client;
  let checkoutRequestId = '';

  const start = (entry: string, readyLine: RegExp) =>
    startProcess(['node', '--enable-source-maps', `dist/workers/${entry}.js`], {
      cwd: image.dir,
      env: { ...env, OTEL_SERVICE_NAME: `${traceService}-${entry}`, ...image.env },
      readyLine,
    });

  beforeAll(async () => {
    execFileSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, stdio: 'inherit' });
    image = assembleRuntime({
      context: root,
      target: mkdtempSync(path.join(tmpdir(), 'pasar-image-')),
      layerCache,
    });
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    const secrets = productionSecrets(adminEmail, adminPassword);
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    env = {
      ...secrets,
      LOG_LEVEL: 'info',
      API_PORT: String(ports.api),
      API_METRICS_PORT: String(ports.apiProbes),
      WORKER_HEALTH_PORT: String(ports.worker),
      WORKER_TEMPORAL_METRICS_PORT: String(ports.temporalMetrics),
      RELAY_HEALTH_PORT: String(ports.relay),
      CONSUMERS_HEALTH_PORT: String(ports.consumers),
      TEMPORAL_TASK_QUEUE: unique('image-test'),
      RECONCILE_SCHEDULE: 'off',
      PAYMENT_GATEWAY_URL: gatewayUrl,
      PAYMENT_WEBHOOK_URL: `${apiUrl}/payments/webhook`,
      PAYMENT_EXPIRY_SECONDS: '60',
      // Every run logs in the same admin from 127.0.0.1 and registers shoppers: the production
      // limits (proven by tests/security) would refuse a busy day of test runs.
      LOGIN_RATE_LIMIT: '1000000',
      SIGNUP_RATE_LIMIT: '1000000',
    };
    // The gateway is the outside world, not part of the image: the simulator from the tree.
    gateway = spawn('node', ['--import', 'tsx', 'simulators/payment-gateway/server.ts'], {
      cwd: root,
      env: { ...process.env, ...secrets, PAYMENT_GATEWAY_PORT: String(ports.gateway) },
      stdio: 'ignore',
    });
    await waitFor('the test gateway', () =>
      fetch(`${gatewayUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    running.api = await start('api', /api listening/);
    running.worker = await start('temporal-worker', /worker polling/);
    running.relay = await start('outbox-relay', /health server listening/);
    api = client(apiUrl);
  }, 300_000);

  afterAll(async () => {
    for (const p of Object.values(running)) await p.stop();
    if (gateway) await kill(gateway);
    if (image) rmSync(image.dir, { recursive: true, force: true });
  });

  it('ships no dev dependency, no TypeScript and no workflow source, and runs as a non-root user', () => {
    for (const dev of ['tsx', 'typescript', 'jest', 'esbuild', 'eslint', 'prisma', '@swc/jest']) {
      expect([dev, existsSync(path.join(image.dir, 'node_modules', dev))]).toEqual([dev, false]);
    }
    for (const source of [
      'contracts',
      'workflows',
      'activities',
      'platform',
      'workers',
      'generated',
      'tsconfig.json',
    ]) {
      expect([source, existsSync(path.join(image.dir, source))]).toEqual([source, false]);
    }
    // services/ holds only the ClickHouse migrations dist/scripts/migrate.js reads, no source.
    const services = readdirSync(path.join(image.dir, 'services'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(image.dir, path.join(e.parentPath, e.name)));
    expect(services.length).toBeGreaterThan(0);
    for (const file of services) expect(file).toMatch(/^services\/analytics\/clickhouse\/[^/]+\.sql$/);
    expect(existsSync(path.join(image.dir, 'dist/workflow-bundle.js'))).toBe(true);
    expect(image.env.NODE_ENV).toBe('production');
    expect(image.user).toBe('node');
    expect(image.cmd).toEqual(['node', '--enable-source-maps', 'dist/workers/api.js']);
  });

  it('each entry point imports tracing before any client it patches, and shares one tracing state', () => {
    for (const entry of ['api', 'temporal-worker', 'outbox-relay', 'consumers']) {
      const code = readFileSync(path.join(image.dir, 'dist/workers', `${entry}.js`), 'utf8');
      const imports = code.split('\n').filter((l) => /^import\b/.test(l));
      expect([entry, imports[0]]).toEqual([entry, 'import "../platform/telemetry/register.js";']);
      // The module holding the tracer provider is a file of its own, not a copy per bundle.
      expect([entry, /^(var|let) current;/m.test(code)]).toEqual([entry, false]);
    }
  });

  it('the worker loads the prebuilt workflow bundle instead of bundling at start', () => {
    expect(running.worker!.output()).toContain(path.join(image.dir, 'dist/workflow-bundle.js'));
    expect(running.worker!.output()).not.toContain('bundled at start');
  });

  it('each compiled process answers its probes and serves /metrics on the probe port', async () => {
    for (const [name, port] of [
      ['api', ports.apiProbes],
      ['worker', ports.worker],
      ['relay', ports.relay],
    ] as const) {
      const ready = await waitFor(`${name} ready`, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return res?.status === 200 ? res.status : undefined;
      });
      expect([name, (await fetch(`http://127.0.0.1:${port}/healthz`)).status, ready]).toEqual([name, 200, 200]);
      // What k8s/'s Prometheus annotations scrape: /metrics on the same port.
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect([name, metrics.status, (await metrics.text()).includes('# TYPE ')]).toEqual([name, 200, true]);
    }
  });

  it('a checkout is paid end to end through the compiled API and worker', async () => {
    const login = await api.post('/auth/login', { email: adminEmail, password: adminPassword });
    expect(login.status).toBe(200);
    const admin = login.body.access_token as string;
    const productId = await newProduct(api, admin, 4, '25000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 2 }]);
    const res = await checkout(api, me.token, me.address_id);
    expect([res.status, res.body.status]).toEqual([202, 'awaiting_payment']);
    checkoutRequestId = res.headers.get('x-request-id')!;
    const confirm = await api.post(
      '/payments/confirm',
      { order_id: res.body.order_id, card_number: CARDS.ok },
      me.token,
    );
    expect(confirm.status).toBe(202);
    const order = await orderStatus(api, me.token, res.body.order_id, 'paid');
    expect(order.total_amount).toBe(res.body.amount.total_amount);
    await waitFor('stock deducted', async () => {
      const stock = (await api.get(`/products/${productId}/inventory`)).body;
      return stock.quantity === 2 && stock.reserved === 0;
    });
    // For the README's memory note: resident memory after a checkout, per compiled process.
    console.log(
      Object.entries(running)
        .map(([name, p]) => `${name} ${p.rssMiB().toFixed(0)} MiB`)
        .join(', '),
    );
  });

  it('the compiled API and worker trace the checkout into one trace, with Postgres spans from the patched client', async () => {
    expect(checkoutRequestId).toBeTruthy();
    const query = new URLSearchParams({
      serviceName: `${traceService}-api`,
      annotationQuery: `pasar.request_id=${checkoutRequestId}`,
      lookback: '3600000',
      limit: '5',
    });
    const spans = await waitFor(
      'the checkout trace in Zipkin',
      async () => {
        const found = (await (await fetch(`${zipkin}/api/v2/traces?${query}`)).json()) as ZipkinSpan[][];
        const traceId = found[0]?.[0]?.traceId;
        if (!traceId) return undefined;
        const all = (await (await fetch(`${zipkin}/api/v2/trace/${traceId}`)).json()) as ZipkinSpan[];
        const fromWorker = all.filter((s) => s.localEndpoint?.serviceName === `${traceService}-temporal-worker`);
        return fromWorker.some((s) => s.name.startsWith('runworkflow:checkout')) &&
          fromWorker.some((s) => s.kind === 'CLIENT' && dbSystem(s) === 'postgresql')
          ? all
          : undefined;
      },
      60_000,
    );
    const service = (s: ZipkinSpan) => s.localEndpoint?.serviceName?.slice(traceService.length + 1);
    const summary = new Set(
      spans.map((s) => `${service(s)} ${s.kind ?? 'LOCAL'}${dbSystem(s) ? ` ${dbSystem(s)}` : ''}`),
    );
    expect([...summary]).toEqual(
      expect.arrayContaining(['api SERVER', 'api CLIENT postgresql', 'temporal-worker CLIENT postgresql']),
    );
  });

  it('the consumers process starts from compiled JavaScript and stops cleanly on SIGTERM', async () => {
    const consumers = await start('consumers', /health server listening/);
    const health = await waitFor('consumers /healthz', () =>
      fetch(`http://127.0.0.1:${ports.consumers}/healthz`).then(
        (r) => r.status,
        () => undefined,
      ),
    );
    expect(health).toBe(200);
    expect(await consumers.stop()).toBe(0);
    expect(consumers.output()).toContain('consumers stopped');
  }, 120_000);

  it("dist/scripts/migrate.js --check, as every pod's initContainer runs it, finds what it reads and the migrated stack up to date", () => {
    const run = spawnSync('node', ['--enable-source-maps', 'dist/scripts/migrate.js', '--check'], {
      cwd: image.dir,
      env: { PATH: process.env.PATH ?? '', ...env, ...image.env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([run.status, run.stdout + run.stderr]).toEqual([
      0,
      expect.stringMatching(
        /postgres: up to date[\s\S]*clickhouse: up to date[\s\S]*elasticsearch: up to date[\s\S]*kafka: up to date/,
      ),
    ]);
  });

  it('every compiled process exits 0 on SIGTERM, as Kubernetes stops a pod', async () => {
    for (const name of ['api', 'worker', 'relay'] as const) {
      expect([name, await running[name]!.stop()]).toEqual([name, 0]);
    }
  });
});
