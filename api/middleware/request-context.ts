/**
 * Runs each request inside its request context (platform/telemetry/request-context.ts), after
 * hono's requestId(), so log lines and error bodies carry its id; names the request's HTTP span
 * after the route (`POST /checkout`, not `POST`) and tags it with the request id.
 */
import { trace } from '@opentelemetry/api';
import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import { runInRequest } from '../../platform/telemetry/request-context';
import type { AppEnv } from '../context';

export function requestContext() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const requestId = c.get('requestId');
    const span = trace.getActiveSpan();
    span?.setAttribute('pasar.request_id', requestId);
    await runInRequest(requestId, next);
    const route = routePath(c, -1);
    if (route && route !== '*') {
      span?.setAttribute('http.route', route);
      span?.updateName(`${c.req.method} ${route}`);
    }
  });
}
