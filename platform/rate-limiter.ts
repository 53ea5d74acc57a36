/**
 * Fixed-window rate limiting in Redis (INCR + EXPIRE NX): shared by every API replica. Over the
 * limit → 429 with Retry-After. If Redis is down the request is refused too, naming Redis:
 * a login endpoint without its brute-force guard should not silently stay open.
 */
import type { Redis } from 'ioredis';
import { AppError } from './errors';

export interface RateRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

export function createRateLimiter(redis: Redis) {
  return {
    /** Counts one call of `who` against `rule`; throws 429 past the limit, 503 when Redis is down. */
    async hit(rule: RateRule, who: string): Promise<void> {
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
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
