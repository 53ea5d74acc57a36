/** GET /search against the raw Elasticsearch query the route sends, same body, same run. */
import { httpCall } from '../../lib/http';
import { PRODUCTS_ALIAS } from '../../../services/search/products-index';
import { buildSearch } from '../../../services/search/query';
import { closedLoopRate, round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

const CONCURRENCY = 8;
const QUERY = 'kopi susu';

async function p95(call: () => Promise<void>, n: number) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))]!;
}

export async function searchPart(ctx: BenchContext): Promise<PartResult> {
  const seconds = ctx.quick ? 1 : 5;
  const esUrl = ctx.config.elasticsearch.url;
  const probe = await fetch(`${esUrl}/${PRODUCTS_ALIAS}`).catch(() => undefined);
  if (!probe?.ok) return { figures: {}, ratios: [], skipped: `no ${PRODUCTS_ALIAS} index at ${esUrl}` };
  const body = JSON.stringify(buildSearch({ q: QUERY, sort: 'relevance', page: 1, page_size: 20 }));
  const raw = async () => {
    const res = await fetch(`${esUrl}/${PRODUCTS_ALIAS}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`raw Elasticsearch: HTTP ${res.status}`);
  };
  const viaApi = async () => {
    const r = await httpCall(ctx.base, 'GET', `/search?q=${encodeURIComponent(QUERY)}`);
    if (r.status !== 200) throw new Error(`GET /search: HTTP ${r.status}`);
  };
  await closedLoopRate(viaApi, CONCURRENCY, Math.min(1, seconds)); // warm-up
  const rawRate = await closedLoopRate(raw, CONCURRENCY, seconds);
  const apiRate = await closedLoopRate(viaApi, CONCURRENCY, seconds);
  // Latency one request at a time (no queueing), p95 of each.
  const samples = ctx.quick ? 20 : 100;
  const [rawP95, apiP95] = [await p95(raw, samples), await p95(viaApi, samples)];
  return {
    figures: {
      query: QUERY,
      concurrency: CONCURRENCY,
      raw_per_second: round(rawRate),
      api_per_second: round(apiRate),
      raw_p95_ms: round(rawP95),
      api_p95_ms: round(apiP95),
    },
    ratios: [ratio('GET /search vs raw Elasticsearch query', apiRate, rawRate, 'req/s', '>= 0.7')],
  };
}
