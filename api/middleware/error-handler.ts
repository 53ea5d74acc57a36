/** Maps every thrown error to the one JSON error shape; unknown errors are logged, never echoed. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { dependencyOf } from '../../platform/dependency-errors';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { currentRequestId } from '../../platform/telemetry/request-context';

/**
 * The one error shape. Inside a request it names the request (`request_id`, also the
 * X-Request-Id header): what a shopper quotes, and what the logs and the trace are tagged with.
 */
export function errorBody(code: string, message: string, details?: unknown, requestId = currentRequestId()) {
  const error = details === undefined ? { code, message } : { code, message, details };
  return { error: requestId ? { ...error, request_id: requestId } : error };
}

export function createErrorHandler(logger: Logger) {
  return (err: Error, c: Context) => {
    const requestId = c.get('requestId') as string | undefined;
    if (err instanceof AppError) {
      const retryAfter = (err.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds;
      if (err.code === 'rate_limited' && retryAfter) c.header('Retry-After', String(retryAfter));
      return c.json(errorBody(err.code, err.message, err.details, requestId), err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 413 ? 'payload_too_large' : err.status === 401 ? 'unauthorized' : 'bad_request';
      return c.json(errorBody(code, err.message || 'bad request', undefined, requestId), err.status);
    }
    const dependency = dependencyOf(err);
    if (dependency) {
      logger.warn({ err, requestId, dependency, path: c.req.path }, 'dependency unavailable');
      return c.json(
        errorBody(
          'dependency_unavailable',
          `${dependency} is unavailable; try again shortly`,
          { dependency },
          requestId,
        ),
        503,
      );
    }
    logger.error({ err, requestId, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error', { request_id: requestId }, requestId), 500);
  };
}
