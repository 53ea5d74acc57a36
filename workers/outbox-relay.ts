/** Process entry: publishes the transactional outbox to Kafka. Several may run; rows are claimed with SKIP LOCKED. */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createOutboxRelay } from '../platform/outbox/relay';

const config = getConfig();
const logger = createLogger(config.logLevel, 'outbox-relay');
const deps = createDeps(config);
const relay = createOutboxRelay(deps.db, deps.kafka, logger);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'stopping outbox relay');
    await relay.stop();
    await closeDeps(deps);
    process.exit(0);
  });
}

await relay.start();
logger.info({ brokers: config.kafka.brokers }, 'outbox relay running');
