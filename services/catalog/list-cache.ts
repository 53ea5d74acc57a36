/**
 * The catalog list's cache: one Redis entry per distinct query, under a generation number that
 * every product or stock write bumps after its commit, so a write is never hidden behind a
 * cached page (readers move to the new generation; old entries just expire). The TTL bounds
 * what a lost bump (Redis blip at the wrong moment) could leave stale.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from '../../platform/logger';

const GENERATION = 'catalog:list:generation';
const entry = (generation: string, query: string) => `catalog:list:${generation}:${query}`;

/** Queues the invalidation on a MULTI that already carries a write's cache refresh. */
export const queueListInvalidation = (m: ChainableCommander) => m.incr(GENERATION);

/** `ttlSeconds` 0 turns the cache off (every list reads Postgres). */
export function createListCache(redis: Redis, logger: Logger, ttlSeconds: number) {
  return {
    /** The cached page for this query, or `load()`'s, stored for the next reader. */
    async read<T>(query: Record<string, unknown>, load: () => Promise<T>): Promise<T> {
      // Not connected: straight to Postgres rather than wait out a command timeout per page.
      if (ttlSeconds === 0 || redis.status !== 'ready') return load();
      const canonical = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
      let key: string | undefined;
      try {
        key = entry((await redis.get(GENERATION)) ?? '0', canonical);
        const hit = await redis.get(key);
        if (hit) return JSON.parse(hit) as T;
      } catch (err) {
        logger.warn({ err }, 'catalog list cache read failed; reading Postgres');
      }
      const page = await load();
      if (key) {
        await redis
          .set(key, JSON.stringify(page), 'EX', ttlSeconds)
          .catch((err) => logger.warn({ err }, 'catalog list cache write failed'));
      }
      return page;
    },

    /** After a product write has committed. */
    async invalidate() {
      await redis.incr(GENERATION).catch((err) => logger.warn({ err }, 'catalog list invalidation failed'));
    },
  };
}

export type ListCache = ReturnType<typeof createListCache>;
