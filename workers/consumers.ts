/**
 * Process entry: runs the Kafka consumers of workers/consumer-registry.ts (all of them, or those
 * named as arguments: `node --import tsx workers/consumers.ts search`), each in its own group
 * through the runtime of platform/kafka/consumer.ts. Serves /healthz and /readyz on
 * CONSUMERS_HEALTH_PORT: ready when Kafka and what the consumers use answer and every consumer
 * has joined its group. SIGTERM finishes the messages in hand, commits and exits 0.
 */
import '../platform/telemetry/register'; // first: tracing patches the clients the imports below load
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { checkReadiness } from '../platform/health';
import { startHealthServer } from '../platform/health-server';
import { runConsumer } from '../platform/kafka/consumer';
import { createLogger } from '../platform/logger';
import { registerConsumerMetrics } from '../platform/metrics/consumers';
import { createServices } from '../services';
import { dependenciesOf, selectConsumers } from './consumer-registry';

const config = getConfig();
const logger = createLogger(config.logLevel, 'consumers');
const registered = selectConsumers(process.argv.slice(2));
const deps = createDeps(config);
// Every store once for the process; each consumer takes the ones it uses.
const services = createServices(deps, logger);
const running = registered.map((r) => runConsumer(deps.kafka, r.create(services, logger), { logger }));
const consumerMetrics = registerConsumerMetrics(deps.kafka, running);
const health = startHealthServer({
  host: config.health.host,
  port: config.health.consumersPort,
  logger,
  readiness: async () => {
    const r = await checkReadiness(deps, dependenciesOf(registered));
    const consumers = Object.fromEntries(running.map((c) => [c.name, { state: c.state(), ...c.stats() }]));
    // A consumer that is not in its group is consuming nothing, whatever its dependencies say.
    const joined = running.every((c) => c.state() === 'running');
    return { ...r, status: r.status === 'ready' && joined ? 'ready' : 'not_ready', consumers };
  },
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'stopping consumers');
    health.close();
    await Promise.all(running.map((c) => c.stop()));
    await consumerMetrics.close();
    await closeDeps(deps);
    logger.info('consumers stopped');
    process.exit(0);
  });
}

logger.info({ consumers: running.map((c) => c.groupId), brokers: config.kafka.brokers }, 'consumers running');
