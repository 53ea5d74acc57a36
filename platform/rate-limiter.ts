/**
 * Rate limiting in Redis, shared by every API replica. Over the limit → 429 with Retry-After. If
 * Redis is down the request is refused too, naming Redis: a login endpoint without its
 * brute-force guard should not silently stay open.
 *
 * - `hit`: a fixed window (INCR + EXPIRE NX), cheap, for throttling: up to twice the limit can
 *   pass around a window's edge.
 * - `take`: a sliding window (a sorted set of the calls let through), for budgets whose bound is
 *   stated ("at most N in any 24 hours"): exact, and a refused call spends nothing, so the
 *   Retry-After is when the oldest call leaves the window however often the caller retries.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from './errors';

export interface RateRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

// KEYS[1] the window's sorted set; ARGV now (ms), window (ms), limit, a member naming this call.
// Answers 0 when the call was let through, else the ms until the oldest call leaves the window.
const TAKE = `
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 0`;

// KEYS[1] the window's sorted set; ARGV now (ms), window (ms), limit. Counts nothing: answers 0
// while a call would be let through, else the ms until the oldest call leaves the window.
const LEFT = `
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
return 0`;

/** A call `take` let through; `giveBack` un-counts it (the work it guarded was refused for another reason). */
export interface Taken {
  giveBack(): Promise<void>;
}

const redisDown = () => new AppError('dependency_unavailable', 'rate limiter unavailable: redis is down');

export function createRateLimiter(redis: Redis) {
  return {
    /**
     * Counts one call of `who` against `rule` in a sliding window: at most `rule.limit` calls in
     * any `rule.windowSeconds`. Throws 429 past the limit (the refused call is not counted), 503
     * when Redis is down.
     */
    async take(rule: RateRule, who: string, message = 'too many requests; slow down'): Promise<Taken> {
      const key = `ratelimit:${rule.name}:${who}`;
      const member = randomUUID();
      let waitMs: number;
      try {
        waitMs = Number(await redis.eval(TAKE, 1, key, Date.now(), rule.windowSeconds * 1000, rule.limit, member));
      } catch {
        throw redisDown();
      }
      if (waitMs > 0) throw new AppError('rate_limited', message, { retry_after_seconds: Math.ceil(waitMs / 1000) });
      return {
        giveBack: async () => {
          await redis.zrem(key, member);
        },
      };
    },

    /**
     * Throws 429 when `who` has spent `rule`'s window, as `take` would, but counts nothing: for a
     * budget spent only by failures (a wrong code), checked before the attempt and taken after a
     * failure, so many good attempts at once never crowd each other out.
     */
    async ensureLeft(rule: RateRule, who: string, message = 'too many requests; slow down'): Promise<void> {
      let waitMs: number;
      try {
        waitMs = Number(
          await redis.eval(LEFT, 1, `ratelimit:${rule.name}:${who}`, Date.now(), rule.windowSeconds * 1000, rule.limit),
        );
      } catch {
        throw redisDown();
      }
      if (waitMs > 0) throw new AppError('rate_limited', message, { retry_after_seconds: Math.ceil(waitMs / 1000) });
    },

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
        throw redisDown();
      }
      if (count > rule.limit) {
        throw new AppError('rate_limited', 'too many requests; slow down', { retry_after_seconds: Math.max(1, ttl) });
      }
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
