/** GET /metrics for the Hono API: this process's registry in Prometheus's text format. */
import type { Handler } from 'hono';
import { exposition } from './registry';

export function metricsHandler(): Handler {
  return async (c) => {
    const { contentType, body } = await exposition();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  };
}
