/**
 * Process entry: publishes the transactional outbox to Kafka. Several replicas may run: one is
 * active (it holds the relay's advisory lock), the others wait as hot standbys. Serves /healthz
 * and /readyz (Postgres and Kafka, plus its role) on RELAY_HEALTH_PORT for Kubernetes probes.
 */
import '../platform/telemetry/register'; // first: tracing patches the clients the imports below load
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { checkReadiness, PROCESS_DEPENDENCIES } from '../platform/health';
import { startHealthServer } from '../platform/health-server';
import { createLogger } from '../platform/logger';
import { createOutboxRelay } from '../platform/outbox/relay';

const config = getConfig();
const logger = createLogger(config.logLevel, 'outbox-relay');
const deps = createDeps(config);
const relay = createOutboxRelay(config.postgres.url, deps.kafka, logger);
const health = startHealthServer({
  host: config.health.host,
  port: config.health.relayPort,
  logger,
  // A standby is ready: it is healthy and takes over the moment the active relay goes.
  readiness: async () => ({ ...(await checkReadiness(deps, PROCESS_DEPENDENCIES.relay)), role: relay.role() }),
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'stopping outbox relay');
    health.close();
    await relay.stop();
    await closeDeps(deps);
    process.exit(0);
  });
}

await relay.start();
logger.info({ brokers: config.kafka.brokers }, 'outbox relay running');
