/** Process entry: the Temporal worker for every workflow and activity. Stops cleanly on SIGTERM. */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createWorker } from './worker';

const config = getConfig();
const logger = createLogger(config.logLevel, 'worker');
const deps = createDeps(config);

try {
  const { worker, connection } = await createWorker(deps);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down worker');
      worker.shutdown();
    });
  }
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker polling');
  await worker.run();
  await connection.close();
  await closeDeps(deps);
  logger.info('worker stopped');
} catch (err) {
  logger.fatal({ err }, `worker could not start: is Temporal up at ${config.temporal.address}? (npm run stack:up)`);
  await closeDeps(deps);
  process.exit(1);
}
