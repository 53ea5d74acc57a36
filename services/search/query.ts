/**
 * Product search over the `products` alias: relevance-ranked and typo-tolerant with only the
 * server core (standard analyzer, fuzziness, index_prefixes, completion), highlights and facets.
 *
 * Ranking: an exact-word match counts double a fuzzy one, so `kopi susu` ranks every coffee
 * above `Balok Susun` (one edit from "susu"); a misspelling (`kripik`) still finds `Keripik`
 * through fuzziness AUTO (1 edit from 3 letters, 2 from 6); the last word may be unfinished
 * (`kopi ara`) through match_bool_prefix on the indexed prefixes. Only active products.
 *
 * Facets follow the usual sidebar rule: each facet counts with every filter except its own
 * (category counts ignore the chosen category, price ranges ignore the chosen price), so a
 * shopper sees what else is there; the hits themselves have every filter applied (post_filter).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Client } from '@elastic/elasticsearch';
import type { ProductDocument } from './document';
import { orUnavailable } from './errors';
import { PRODUCTS_ALIAS } from './products-index';

export interface SearchQuery {
  q: string;
  category?: string;
  min_price?: number;
  max_price?: number;
  in_stock?: boolean;
  sort: 'relevance' | 'price_asc' | 'price_desc' | 'newest';
  page: number;
  page_size: number;
}

/** The price buckets of the sidebar, in IDR. */
export const PRICE_RANGES = [
  { key: 'under_50k', to: 50_000 },
  { key: '50k_100k', from: 50_000, to: 100_000 },
  { key: '100k_250k', from: 100_000, to: 250_000 },
  { key: '250k_500k', from: 250_000, to: 500_000 },
  { key: 'over_500k', from: 500_000 },
];

const FIELDS = ['name^3', 'description'];

const SORTS: Record<SearchQuery['sort'], estypes.SortCombinations[]> = {
  relevance: ['_score', { id: 'asc' }],
  price_asc: [{ price: 'asc' }, '_score', { id: 'asc' }],
  price_desc: [{ price: 'desc' }, '_score', { id: 'asc' }],
  newest: [{ created_at: 'desc' }, { id: 'asc' }],
};

export function textQuery(q: string): estypes.QueryDslQueryContainer {
  return {
    bool: {
      should: [
        { multi_match: { query: q, fields: FIELDS, boost: 2 } },
        { multi_match: { query: q, fields: FIELDS, fuzziness: 'AUTO', prefix_length: 1, max_expansions: 20 } },
        { match_bool_prefix: { name: { query: q, boost: 0.5 } } },
      ],
      minimum_should_match: 1,
    },
  };
}

const all: estypes.QueryDslQueryContainer = { match_all: {} };

export function buildSearch(q: SearchQuery): estypes.SearchRequest {
  const category = q.category === undefined ? undefined : { term: { category: q.category } };
  const price =
    q.min_price === undefined && q.max_price === undefined
      ? undefined
      : { range: { price: { gte: q.min_price, lte: q.max_price } } };
  const filters: estypes.QueryDslQueryContainer[] = [{ term: { status: 'active' } }];
  if (q.in_stock !== undefined) filters.push({ term: { in_stock: q.in_stock } });
  const post = [category, price].filter((f): f is NonNullable<typeof f> => f !== undefined);
  return {
    query: { bool: { must: textQuery(q.q), filter: filters } },
    post_filter: post.length ? { bool: { filter: post } } : undefined,
    sort: SORTS[q.sort],
    from: (q.page - 1) * q.page_size,
    size: q.page_size,
    track_total_hits: true,
    _source: ['id', 'sku', 'name', 'description', 'price', 'category', 'available', 'in_stock'],
    highlight: {
      encoder: 'html', // the product text is escaped, so a client can render the <em> as HTML safely
      pre_tags: ['<em>'],
      post_tags: ['</em>'],
      fields: { name: { number_of_fragments: 0 }, description: { fragment_size: 160, number_of_fragments: 1 } },
    },
    aggs: {
      categories: {
        filter: price ?? all,
        aggs: { values: { terms: { field: 'category', size: 50, order: { _count: 'desc' } } } },
      },
      price_ranges: { filter: category ?? all, aggs: { values: { range: { field: 'price', ranges: PRICE_RANGES } } } },
    },
  };
}

export interface SearchHit {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: string;
  category: string;
  available: number;
  in_stock: boolean;
  score: number | null;
  highlight: { name?: string; description?: string };
}

interface Bucket {
  key: string;
  doc_count: number;
  from?: number;
  to?: number;
}

export function createProductSearch(es: Client, index: string = PRODUCTS_ALIAS) {
  return {
    async search(q: SearchQuery) {
      const res = await orUnavailable(() => es.search<ProductDocument>({ index, ...buildSearch(q) }));
      const aggs = res.aggregations as Record<string, { values: { buckets: Bucket[] } }>;
      const total = res.hits.total;
      return {
        data: res.hits.hits.map((h): SearchHit => {
          const s = h._source!;
          return {
            id: s.id!,
            sku: s.sku!,
            name: s.name!,
            description: s.description!,
            price: Number(s.price).toFixed(2),
            category: s.category!,
            available: s.available ?? 0,
            in_stock: s.in_stock ?? false,
            score: h._score ?? null,
            highlight: { name: h.highlight?.name?.[0], description: h.highlight?.description?.[0] },
          };
        }),
        page: q.page,
        page_size: q.page_size,
        total: typeof total === 'number' ? total : (total?.value ?? 0),
        facets: {
          categories: aggs.categories!.values.buckets.map((b) => ({ value: b.key, count: b.doc_count })),
          price_ranges: aggs.price_ranges!.values.buckets.map((b) => ({
            key: b.key,
            from: b.from ?? null,
            to: b.to ?? null,
            count: b.doc_count,
          })),
        },
      };
    },

    /** Names completing what was typed (any word of the name), one typo tolerated, active products only. */
    async suggest(prefix: string, size: number) {
      const res = await orUnavailable(() =>
        es.search<ProductDocument>({
          index,
          _source: ['id', 'name', 'category'],
          suggest: {
            names: {
              prefix,
              completion: {
                field: 'suggest',
                size,
                skip_duplicates: true,
                fuzzy: { fuzziness: 1, prefix_length: 1, min_length: 3 },
                contexts: { status: ['active'] },
              },
            },
          },
        }),
      );
      const options = (res.suggest?.names?.[0]?.options ??
        []) as estypes.SearchCompletionSuggestOption<ProductDocument>[];
      const seen = new Set<string>();
      const data: { id: string; name: string; category: string }[] = [];
      for (const o of options) {
        const s = o._source;
        if (!s?.name || seen.has(s.id!)) continue;
        seen.add(s.id!);
        data.push({ id: s.id!, name: s.name, category: s.category! });
      }
      return { data };
    },
  };
}

export type ProductSearch = ReturnType<typeof createProductSearch>;
