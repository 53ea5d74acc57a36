/**
 * The three recommendation lists. Redis gives ranked candidate ids; every list is then filtered
 * at read time to active, in-stock products (the catalog's `showable`) and, for a shopper, to what they
 * have not bought; a short list is topped up (same category for similar, popular for a shopper,
 * which is also a cold start's whole answer).
 */
import type { Redis } from 'ioredis';
import type { ProductStore, ProductView } from '../catalog/products';
import { recKeys, REC_TUNING } from './keys';
import { pairsOf, popularPage } from './popular';

export type Reason = 'popular' | 'bought_together' | 'same_category' | 'for_you';
export type Recommendation = ProductView & { reason: Reason; score: number };

/** How many candidates are read per round: hidden ones (sold out, bought) must not starve the list. */
const PAGE = 100;
const MAX_ROUNDS = 5;
/** Seeds of a shopper's picks: every purchase counts twice a view. */
const WEIGHT = { bought: 2, viewed: 1, viewedItself: 0.5 };

export function createRecQueries(redis: Redis, products: Pick<ProductStore, 'get' | 'list' | 'showable'>) {
  /** Appends showable candidates (in their order) to `out` until it holds `limit`. */
  async function take(
    out: Recommendation[],
    candidates: [string, number][],
    limit: number,
    hide: Set<string>,
    reason: Reason,
  ) {
    const fresh = candidates.filter(([id]) => !hide.has(id));
    const showable = await products.showable(fresh.map(([id]) => id));
    for (const [id, score] of fresh) {
      if (out.length >= limit) break;
      const p = showable.get(id);
      if (!p) continue;
      out.push({ ...p, reason, score: Math.round(score * 100) / 100 });
      hide.add(id);
    }
  }

  async function popular(limit: number, hide = new Set<string>(), out: Recommendation[] = []) {
    for (let round = 0; round < MAX_ROUNDS && out.length < limit; round++) {
      const page = await popularPage(redis, round * PAGE, PAGE);
      await take(out, page, limit, hide, 'popular');
      if (page.length < PAGE) break;
    }
    return out;
  }

  /** A shopper's picks, materialized under `rec:user:{id}` until a signal of theirs changes. */
  async function picks(userId: string, viewed: string[], bought: string[]): Promise<[string, number][]> {
    const cached = await redis.zrevrange(recKeys.user(userId), 0, PAGE - 1, 'WITHSCORES');
    if (cached.length > 0 || viewed.length + bought.length === 0) return pairsOf(cached);
    const seeds: [string, number][] = [
      ...bought.map((id): [string, number] => [id, WEIGHT.bought]),
      ...viewed.map((id): [string, number] => [id, WEIGHT.viewed]),
    ];
    const pipe = redis.pipeline();
    for (const [id] of seeds) pipe.zrevrange(recKeys.similar(id), 0, 49, 'WITHSCORES');
    const results = (await pipe.exec()) ?? [];
    const score = new Map<string, number>(viewed.map((id) => [id, WEIGHT.viewedItself]));
    results.forEach(([err, flat], i) => {
      if (err) throw err;
      for (const [id, count] of pairsOf(flat as string[])) score.set(id, (score.get(id) ?? 0) + seeds[i]![1] * count);
    });
    const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]).slice(0, PAGE);
    if (ranked.length > 0) {
      const key = recKeys.user(userId);
      await redis
        .multi()
        .del(key)
        .zadd(key, ...ranked.flatMap(([id, s]) => [s, id]))
        .expire(key, REC_TUNING.userPicksSeconds)
        .exec();
    }
    return ranked;
  }

  return {
    /** Best sellers of the last week (decayed), in stock. */
    popular: (limit: number) => popular(limit),

    /** Bought together with the product, then the same category ranked by popularity. */
    async similar(productId: string, limit: number) {
      const product = await products.get(productId); // 404 for an unknown product
      const hide = new Set([productId]);
      const out: Recommendation[] = [];
      const together = await redis.zrevrange(recKeys.similar(productId), 0, PAGE - 1, 'WITHSCORES');
      await take(out, pairsOf(together), limit, hide, 'bought_together');
      if (out.length >= limit) return out;
      const sameCategory = await products.list({
        category: product.category,
        in_stock: true,
        page: 1,
        page_size: PAGE,
        sort: 'newest',
      });
      const ids = sameCategory.data.map((p) => p.id).filter((id) => !hide.has(id));
      const scores = ids.length > 0 ? await redis.zmscore(recKeys.popular, ...ids) : [];
      const ranked = ids.map((id, i): [string, number] => [id, Number(scores[i] ?? 0)]).sort((a, b) => b[1] - a[1]);
      await take(out, ranked, limit, hide, 'same_category');
      return out;
    },

    /** From what the shopper bought and viewed, never what they bought; popular fills the rest. */
    async forUser(userId: string, limit: number) {
      const [bought, viewed] = await Promise.all([
        redis.zrange(recKeys.userBought(userId), 0, '-1'),
        redis.zrevrange(recKeys.userViewed(userId), 0, 19),
      ]);
      const hide = new Set(bought);
      const out: Recommendation[] = [];
      await take(out, await picks(userId, viewed, bought), limit, hide, 'for_you');
      return popular(limit, hide, out);
    },
  };
}

export type RecQueries = ReturnType<typeof createRecQueries>;
