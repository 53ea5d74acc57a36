/** ioredis client that fails commands fast while Redis is unreachable, and keeps reconnecting. */
import { Redis } from 'ioredis';

export type { Redis };

export function createRedis(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    lazyConnect: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    // Commands issued while disconnected wait in the offline queue, but commandTimeout bounds
    // that wait too, so a caller gets a clear error instead of hanging while Redis is down.
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}
