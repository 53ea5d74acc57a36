/** Catalog list and detail requests/s against the bare /healthz route of the same API. */
import { httpCall } from '../../lib/http';
import { closedLoopRate, round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

const CONCURRENCY = 8;

export async function catalogPart(ctx: BenchContext): Promise<PartResult> {
  const seconds = ctx.quick ? 1 : 5;
  const productId = (await ctx.shop.call('GET', '/products?page_size=1')).body.data[0]?.id as string | undefined;
  const get = (path: string) => async () => {
    const r = await httpCall(ctx.base, 'GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
  };
  const healthz = get('/healthz');
  const list = get('/products?page_size=20');
  await closedLoopRate(list, CONCURRENCY, Math.min(1, seconds)); // warm-up: caches, JIT, pools
  // Baseline before and after, averaged: the machine's load drifts during a run.
  const bare1 = await closedLoopRate(healthz, CONCURRENCY, seconds);
  const listRate = await closedLoopRate(list, CONCURRENCY, seconds);
  const detailRate = productId ? await closedLoopRate(get(`/products/${productId}`), CONCURRENCY, seconds) : 0;
  const bare2 = await closedLoopRate(healthz, CONCURRENCY, seconds);
  const bare = (bare1 + bare2) / 2;
  return {
    figures: {
      concurrency: CONCURRENCY,
      healthz_per_second: round(bare),
      list_per_second: round(listRate),
      detail_per_second: round(detailRate),
    },
    ratios: [
      ratio('GET /products?page_size=20 vs GET /healthz', listRate, bare, 'req/s', '>= 0.5'),
      ratio('GET /products/:id vs GET /healthz', detailRate, bare, 'req/s'),
    ],
  };
}
