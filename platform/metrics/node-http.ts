/** GET /metrics for a plain node:http server (the health servers of the worker, relay, consumers). */
import type { ServerResponse } from 'node:http';
import { exposition } from './registry';

export function serveMetrics(res: ServerResponse): void {
  exposition().then(
    ({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    (err: Error) => {
      res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: { code: 'internal', message: `metrics failed: ${err.message}` } }));
    },
  );
}
