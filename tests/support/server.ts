/**
 * Starts the real API on an ephemeral port against the real stack, with the outbox relay
 * running and, on request, a real Temporal worker on a task queue of its own whose payment
 * intents ask the gateway simulator to deliver webhooks to this very server.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { getConfig, type Config } from '../../platform/config';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import { checkReadiness, PROCESS_DEPENDENCIES } from '../../platform/health';
import { startHealthServer } from '../../platform/health-server';
import { createLogger } from '../../platform/logger';
import { createOutboxRelay, type OutboxRelay } from '../../platform/outbox/relay';
import { createServices, type Services } from '../../services';
import { createWorker, type WorkerOptions } from '../../workers/worker';
import { unique } from './deps';

export interface TestServer {
  base: string;
  /** The API's probe port (workers/api.ts serves it on API_METRICS_PORT): /metrics, /healthz, /readyz. */
  metricsBase: string;
  config: Config;
  deps: Deps;
  services: Services;
  relay: OutboxRelay;
  /** Starts (again) the in-process worker; tests that kill it call this to bring it back. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
}

export interface ServerOptions {
  worker?: boolean;
  paymentExpirySeconds?: number;
  /** Adjusts the settings of this server and its worker (e.g. a gateway of the test's own). */
  configure?: (config: Config) => Config;
  /** Fault injection: replaces some of the worker's activities. */
  overrideActivities?: WorkerOptions['overrideActivities'];
}

export function useServer(options: ServerOptions = {}): () => TestServer {
  let server: ServerType | undefined;
  let probes: Server | undefined;
  let ctx: TestServer | undefined;
  let workerDeps: Deps | undefined;
  let flushApp: (() => Promise<void>) | undefined;
  let running: { worker: Worker; connection: NativeConnection; done: Promise<void> } | undefined;

  beforeAll(async () => {
    const logger = createLogger('silent');
    const base = getConfig();
    // The port is chosen first, so the API's own gateway calls (a switch of payment method) name
    // this server as the notification URL, as the worker's do.
    const port = await freePort();
    const config: Config = (options.configure ?? ((c) => c))({
      ...base,
      temporal: { ...base.temporal, taskQueue: unique('test-pasar') },
      payments: {
        ...base.payments,
        expirySeconds: options.paymentExpirySeconds ?? base.payments.expirySeconds,
        webhookUrl: `http://127.0.0.1:${port}/payments/webhook`,
      },
    });
    const deps = createDeps(config);
    const services = createServices(deps, logger);
    // As workers/api.ts: the admin exists before the first request. A connection to Postgres past its
    // timeout on a busy CI machine is tried again (the API itself logs it and goes on).
    for (let attempt = 1; ; attempt++) {
      try {
        await services.auth.ensureAdmin(config.auth.admin.email, config.auth.admin.password);
        break;
      } catch (err) {
        if (attempt === 5) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
    const app = createApp(deps, services, logger);
    flushApp = app.flush;
    const relay = createOutboxRelay(config.postgres.url, deps.kafka, logger);
    await relay.start();
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve());
    });
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    probes = startHealthServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      readiness: async () => ({ ...(await checkReadiness(deps, PROCESS_DEPENDENCIES.api)) }),
    });
    if (!probes.listening) await once(probes, 'listening');
    const metricsBase = `http://127.0.0.1:${(probes.address() as AddressInfo).port}`;
    workerDeps = createDeps({ ...config, payments: { ...config.payments, webhookUrl: `${url}/payments/webhook` } });

    const startWorker = async () => {
      if (running) return;
      const { worker, connection } = await createWorker(workerDeps!, {
        taskQueue: config.temporal.taskQueue,
        overrideActivities: options.overrideActivities,
      });
      running = { worker, connection, done: worker.run() };
    };
    const stopWorker = async () => {
      if (!running) return;
      running.worker.shutdown();
      await running.done;
      await running.connection.close();
      running = undefined;
    };
    ctx = { base: url, metricsBase, config, deps, services, relay, startWorker, stopWorker };
    if (options.worker) await startWorker();
  });

  afterAll(async () => {
    await flushApp?.().catch(() => undefined);
    await ctx?.stopWorker();
    await ctx?.relay.stop();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await new Promise((resolve) => (probes ? probes.close(resolve) : resolve(undefined)));
    if (ctx) await closeDeps(ctx.deps);
    if (workerDeps) await closeDeps(workerDeps);
  });

  return () => {
    if (!ctx) throw new Error('the server is only available inside tests');
    return ctx;
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
