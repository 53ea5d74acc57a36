/** Process entry: the HTTP API. Drains in-flight requests and closes connections on SIGTERM. */
import '../platform/telemetry/register'; // first: tracing patches the clients the imports below load
import { serve } from '@hono/node-server';
import { createApp } from '../api/app';
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';

const config = getConfig();
const logger = createLogger(config.logLevel, 'api');
const deps = createDeps(config);
const services = createServices(deps, logger);
const app = createApp(deps, services, logger);

// The configured admin exists before the first request (idempotent; production requires real values).
services.auth
  .ensureAdmin(config.auth.admin.email, config.auth.admin.password)
  .catch((err) => logger.error({ err }, 'could not ensure the admin account; is Postgres up?'));

const server = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, (info) => {
  logger.info({ url: `http://${info.address}:${info.port}` }, 'api listening');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down api');
    server.close(async () => {
      await app.flush().catch((err) => logger.warn({ err }, 'buffered product views could not be sent'));
      await closeDeps(deps);
      logger.info('api stopped');
      process.exit(0);
    });
    // Keep-alive sockets can hold close() open; don't let shutdown hang past a grace period.
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
