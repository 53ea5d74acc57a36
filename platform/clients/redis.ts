/** ioredis client that fails commands fast while Redis is unreachable, and keeps reconnecting. */
import { Redis } from 'ioredis';

export type { Redis };

export function createRedis(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    lazyConnect: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    // Without this, commands queue silently while Redis is down and callers hang.
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}
