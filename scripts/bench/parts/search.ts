/** GET /search against the raw Elasticsearch query the route sends, same body, same run. */
import { httpCall } from '../../lib/http';
import { PRODUCTS_ALIAS } from '../../../services/search/products-index';
import { buildSearch } from '../../../services/search/query';
import { closedLoopRate, round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

const CONCURRENCY = 8;
const QUERY = 'kopi susu';

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
  return {
    figures: { query: QUERY, concurrency: CONCURRENCY, raw_per_second: round(rawRate), api_per_second: round(apiRate) },
    ratios: [ratio('GET /search vs raw Elasticsearch query', apiRate, rawRate, 'req/s', '>= 0.7')],
  };
}
