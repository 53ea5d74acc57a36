/**
 * Process entry: the HTTP API. Drains in-flight requests and closes connections on SIGTERM.
 * Its /metrics (and a copy of its probes) are on API_METRICS_PORT, as the other processes' are on
 * their probe ports: never on the public port, which Traefik routes to the world.
 */
import '../platform/telemetry/register'; // first: tracing patches the clients the imports below load
import { createApp } from '../api/app';
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { startHealthServer } from '../platform/health-server';
import { checkReadiness, PROCESS_DEPENDENCIES } from '../platform/health';
import { HTTP_SERVER, serveHttp } from '../platform/http-server';
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

// Backlog, keep-alive and request timeouts chosen for a rush of shoppers: platform/http-server.ts.
const server = serveHttp({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, (info) => {
  logger.info({ url: `http://${info.address}:${info.port}`, backlog: info.backlog }, 'api listening');
  if (info.backlog < HTTP_SERVER.backlog)
    logger.warn(
      { asked: HTTP_SERVER.backlog, granted: info.backlog },
      'the kernel caps the listen backlog (net.core.somaxconn): a rush of connections may wait for SYN retries',
    );
});

const probes = startHealthServer({
  host: config.api.host,
  port: config.api.metricsPort,
  logger,
  readiness: async () => ({ ...(await checkReadiness(deps, PROCESS_DEPENDENCIES.api)) }),
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down api');
    probes.close();
    void server.drain().then(async () => {
      await app.flush().catch((err) => logger.warn({ err }, 'buffered product views could not be sent'));
      await closeDeps(deps);
      logger.info('api stopped');
      process.exit(0);
    });
    // A request that never ends can hold the drain open; don't let shutdown hang past a grace period.
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
