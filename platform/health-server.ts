/**
 * A tiny HTTP server for the processes that serve no HTTP of their own (the Temporal worker and
 * the outbox relay), so Kubernetes can probe them the way it probes the API: GET /healthz answers
 * while the process runs (never asks a dependency), GET /readyz checks what the process uses.
 */
import { createServer, type Server } from 'node:http';
import type { Readiness } from './health';
import type { Logger } from './logger';
import { serveMetrics } from './metrics/node-http';

export interface HealthServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** The process's readiness; extra fields (e.g. the relay's role) are passed through. */
  readiness: () => Promise<Readiness & Record<string, unknown>>;
}

/** Starts listening; a port already taken is logged, not fatal: the process's work matters more. */
export function startHealthServer({ host, port, logger, readiness }: HealthServerOptions): Server {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return reply(405, { error: { code: 'method_not_allowed', message: 'GET only' } });
    if (path === '/healthz') return reply(200, { status: 'ok' });
    if (path === '/metrics') return serveMetrics(res);
    if (path === '/readyz') {
      readiness().then(
        (r) => reply(r.status === 'ready' ? 200 : 503, r),
        (err) => reply(503, { status: 'not_ready', error: (err as Error).message }),
      );
      return;
    }
    reply(404, { error: { code: 'not_found', message: `no route for GET ${path}` } });
  });
  server.on('error', (err) =>
    logger.error({ err, host, port }, 'health server could not listen: probes of this process will fail'),
  );
  server.listen(port, host, () => logger.info({ url: `http://${host}:${port}` }, 'health server listening'));
  return server;
}
