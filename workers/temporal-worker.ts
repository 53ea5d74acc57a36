/**
 * Process entry: the Temporal worker for every workflow and activity. Stops cleanly on SIGTERM.
 * Serves /healthz and /readyz (Postgres, Redis, Temporal) on WORKER_HEALTH_PORT for Kubernetes.
 */
import '../platform/telemetry/register'; // first: tracing patches the clients the imports below load
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { checkReadiness, PROCESS_DEPENDENCIES } from '../platform/health';
import { startHealthServer } from '../platform/health-server';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { registerStuckWorkMetrics } from '../services/orders/stuck-work-gauge';
import { stuckThresholds } from '../services/orders/stuck-work';
import { ensureReconcileSchedule } from '../services/payments/schedule';
import { createWorker, prebuiltWorkflowBundle } from './worker';

const config = getConfig();
const logger = createLogger(config.logLevel, 'worker');
const deps = createDeps(config);
// Every store once for the process: the activities and the stuck-work gauge share them.
const services = createServices(deps, createLogger(config.logLevel, 'activities'));
registerStuckWorkMetrics(services.stuckWork, stuckThresholds(config));
let state = 'starting';
const health = startHealthServer({
  host: config.health.host,
  port: config.health.workerPort,
  logger,
  readiness: async () => ({ ...(await checkReadiness(deps, PROCESS_DEPENDENCIES.worker)), worker: state }),
});

try {
  const workflowBundlePath = prebuiltWorkflowBundle(import.meta.url);
  const { worker, connection } = await createWorker(deps, {
    services,
    workflowBundlePath,
    metricsBindAddress: `${config.health.host}:${config.metrics.temporalPort}`,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down worker');
      worker.shutdown();
    });
  }
  await ensureReconcileSchedule(
    deps.temporal.client,
    config.temporal.taskQueue,
    config.payments.reconcile.intervalSeconds,
  );
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      address: config.temporal.address,
      workflowBundle: workflowBundlePath ?? 'bundled at start',
    },
    'worker polling',
  );
  state = 'polling';
  await worker.run();
  state = 'stopped';
  health.close();
  await connection.close();
  await closeDeps(deps);
  logger.info('worker stopped');
  // Everything it opened is closed; exit as the API and the consumers do rather than wait for the
  // event loop to empty: a CI run once saw the worker stopped and its process still alive 150 s on.
  process.exit(0);
} catch (err) {
  logger.fatal({ err }, `worker could not start: is Temporal up at ${config.temporal.address}? (npm run stack:up)`);
  health.close();
  await closeDeps(deps);
  process.exit(1);
}
