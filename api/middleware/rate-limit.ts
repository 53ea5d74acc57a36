/**
 * Fixed-window rate limiting in Redis (INCR + EXPIRE NX): shared by every API replica. Over the
 * limit → 429 with Retry-After. If Redis is down the request is refused too, naming Redis:
 * a login endpoint without its brute-force guard should not silently stay open.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Redis } from 'ioredis';
import { AppError } from '../../platform/errors';
import type { AppEnv } from '../context';

export interface RateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
  /** What one caller is: e.g. IP + email for login. */
  key: (c: Context<AppEnv>) => Promise<string> | string;
}

export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function hit(redis: Redis, rule: Omit<RateLimit, 'key'>, who: string): Promise<void> {
  const key = `ratelimit:${rule.name}:${who}`;
  let count: number;
  let ttl: number;
  try {
    const res = (await redis.multi().incr(key).expire(key, rule.windowSeconds, 'NX').ttl(key).exec()) ?? [];
    count = Number(res[0]?.[1]);
    ttl = Number(res[2]?.[1]);
  } catch {
    throw new AppError('dependency_unavailable', 'rate limiter unavailable: redis is down');
  }
  if (count > rule.limit) {
    throw new AppError('rate_limited', 'too many requests; slow down', { retry_after_seconds: Math.max(1, ttl) });
  }
}

export function rateLimit(redis: Redis, rule: RateLimit): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await hit(redis, rule, await rule.key(c));
    await next();
  };
}
