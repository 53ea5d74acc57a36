/**
 * One error for "a dependency is down": whichever client throws it (payment gateway, carrier,
 * ClickHouse), the API answers 503 naming that dependency and never the error's own message, and
 * the consumer runtime waits the outage out instead of parking the event.
 */
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { createErrorHandler } from '../../api/middleware/error-handler';
import { DependencyUnavailableError, dependencyOf, type Dependency } from '../../platform/dependency-errors';
import { isDependencyOutage } from '../../platform/kafka/delivery';
import { createLogger } from '../../platform/logger';

const quiet = createLogger('silent', 'test', new Writable({ write: (_chunk, _enc, done) => done() }));

/** A one-route app whose handler throws `err`, with the API's error handler. */
function appThrowing(err: Error) {
  const app = new Hono();
  app.get('/', () => {
    throw err;
  });
  app.onError(createErrorHandler(quiet));
  return app;
}

describe('DependencyUnavailableError', () => {
  it.each<[Dependency, string]>([
    ['payment-gateway', 'payment gateway unreachable at http://127.0.0.1:4010: fetch failed'],
    ['carrier', 'carrier JNE (http://127.0.0.1:4020) answered 502'],
    ['clickhouse', 'clickhouse is unavailable'],
  ])('answers 503 naming %s, without its message', async (dependency, message) => {
    const res = await appThrowing(new DependencyUnavailableError(dependency, { message })).request('/');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error).toEqual({
      code: 'dependency_unavailable',
      message: `${dependency} is unavailable; try again shortly`,
      details: { dependency },
    });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });

  it('says which dependency, keeps its cause, and defaults its message', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new DependencyUnavailableError('clickhouse', { cause });
    expect(err).toMatchObject({ name: 'DependencyUnavailableError', dependency: 'clickhouse', cause });
    expect(err.message).toBe('clickhouse is unavailable');
    expect(dependencyOf(err)).toBe('clickhouse');
    expect('cause' in new DependencyUnavailableError('carrier')).toBe(false);
  });

  it('is an outage to the consumer runtime (waited out, never parked)', () => {
    expect(isDependencyOutage(new DependencyUnavailableError('elasticsearch'))).toBe(true);
    expect(isDependencyOutage(new Error('bad event'))).toBe(false);
  });

  it('leaves other errors a 500 that echoes nothing', async () => {
    const res = await appThrowing(new Error('secret detail')).request('/');
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret detail');
  });
});
