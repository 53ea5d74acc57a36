/**
 * Product search over the `products` alias: relevance-ranked and typo-tolerant with only the
 * server core (standard and whitespace analyzers, fuzziness, index_prefixes, completion),
 * highlights, facets, a "did you mean" when nothing matched.
 *
 * Ranking in tiers, so fuzziness only widens (issue 23): a name that starts with what was typed
 * (constant 30), then names where every typed word starts a word (constant 15, the last word may
 * be unfinished), above anything scored by BM25: the exact words (x2), the Bahasa Indonesia
 * fields of analysis.ts (roots of affixed words, synonym groups, category words) and last the
 * fuzzy match (x0.5, AUTO edits), which finds `Keripik` for `kripik` but never outranks a prefix.
 * Only active products.
 *
 * Facets follow the usual sidebar rule: each facet counts with every filter except its own
 * (category counts ignore the chosen category, price ranges ignore the chosen price), so a
 * shopper sees what else is there; the hits themselves have every filter applied (post_filter).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Client } from '@elastic/elasticsearch';
import type { ProductDocument } from './document';
import { orUnavailable } from './errors';
import { analyze } from './analysis';
import { PRODUCTS_ALIAS } from './products-index';

export interface SearchQuery {
  q: string;
  category?: string;
  min_price?: number;
  max_price?: number;
  in_stock?: boolean;
  sort: (typeof SORT_ORDERS)[number];
  page: number;
  page_size: number;
}

export const SORT_ORDERS = ['relevance', 'price_asc', 'price_desc', 'newest', 'popularity'] as const;

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
  // The score carries the popularity (withPopularity), relevance breaking ties.
  popularity: ['_score', { id: 'asc' }],
  price_asc: [{ price: 'asc' }, '_score', { id: 'asc' }],
  price_desc: [{ price: 'desc' }, '_score', { id: 'asc' }],
  newest: [{ created_at: 'desc' }, { id: 'asc' }],
};

/** The score tiers: above any BM25 score of this catalog's short names and descriptions. */
export const TIER = { nameStarts: 30, wordsStart: 15 } as const;

export function textQuery(q: string): estypes.QueryDslQueryContainer {
  const analyzed = analyze(q, 'query').join(' ');
  const should: estypes.QueryDslQueryContainer[] = [
    {
      constant_score: {
        filter: { prefix: { 'name.keyword': { value: q, case_insensitive: true } } },
        boost: TIER.nameStarts,
      },
    },
    {
      constant_score: {
        filter: { match_bool_prefix: { name: { query: q, operator: 'and' } } },
        boost: TIER.wordsStart,
      },
    },
    { multi_match: { query: q, fields: FIELDS, boost: 2 } },
    { multi_match: { query: q, fields: FIELDS, fuzziness: 'AUTO', prefix_length: 1, max_expansions: 20, boost: 0.5 } },
  ];
  if (analyzed) should.push({ multi_match: { query: analyzed, fields: ['name_terms^3', 'body_terms'], boost: 3 } });
  return { bool: { should, minimum_should_match: 1 } };
}

/** Product ids with their popularity (recommendations' decayed units sold), best first. */
export type PopularityReader = () => Promise<[string, number][]>;

/** How many of the most popular products a popularity sort lifts; the rest follow by relevance. */
export const POPULAR_LIFTED = 200;
/** Each popularity step outweighs any relevance score, so relevance only breaks ties. */
const POPULARITY_STEP = 1000;

/** Lifts the popular products above the rest, in order of units sold (equal units tie). */
export function withPopularity(
  query: estypes.QueryDslQueryContainer,
  popular: [string, number][],
): estypes.QueryDslQueryContainer {
  const top = popular.filter(([, units]) => units > 0).slice(0, POPULAR_LIFTED);
  if (top.length === 0) return query;
  const levels = [...new Set(top.map(([, u]) => u))].sort((a, b) => a - b);
  return {
    function_score: {
      query,
      functions: top.map(([id, units]) => ({
        filter: { term: { id } },
        weight: (levels.indexOf(units) + 1) * POPULARITY_STEP,
      })),
      score_mode: 'max',
      boost_mode: 'sum',
    },
  };
}

const all: estypes.QueryDslQueryContainer = { match_all: {} };

export function buildSearch(q: SearchQuery, popular: [string, number][] = []): estypes.SearchRequest {
  const category = q.category === undefined ? undefined : { term: { category: q.category } };
  const price =
    q.min_price === undefined && q.max_price === undefined
      ? undefined
      : { range: { price: { gte: q.min_price, lte: q.max_price } } };
  const filters: estypes.QueryDslQueryContainer[] = [{ term: { status: 'active' } }];
  if (q.in_stock !== undefined) filters.push({ term: { in_stock: q.in_stock } });
  const post = [category, price].filter((f): f is NonNullable<typeof f> => f !== undefined);
  return {
    query: {
      bool: {
        must: q.sort === 'popularity' ? withPopularity(textQuery(q.q), popular) : textQuery(q.q),
        filter: filters,
      },
    },
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

export interface ProductSearchOptions {
  /** The alias or index searched (a test's or the bench's own). */
  index?: string;
  /** The popularity a `popularity` sort ranks by (the recommendations' signal); none: relevance. */
  popularity?: PopularityReader;
  /** Told of each search that found nothing (analytics); never awaited, never throws. */
  onNoResults?: (query: NoResultsQuery) => void;
}

export interface NoResultsQuery {
  q: string;
  category?: string;
  did_you_mean: string | null;
}

const completion = (prefix: string, size: number, fuzzy: boolean) => ({
  prefix,
  completion: {
    field: 'suggest',
    size,
    skip_duplicates: true,
    contexts: { status: ['active'] },
    ...(fuzzy ? { fuzzy: { fuzziness: 1, prefix_length: 1, min_length: 3 } } : {}),
  },
});

/**
 * A spelling the index knows for each word of `q` (a term suggester on the names, up to two edits,
 * the first letter included, which the search's fuzziness keeps), or null when none is better.
 */
async function didYouMean(es: Client, index: string, q: string): Promise<string | null> {
  const res = await es.search({
    index,
    size: 0,
    suggest: {
      text: q,
      names: {
        term: { field: 'name', suggest_mode: 'missing', prefix_length: 0, max_edits: 2, min_word_length: 3, size: 1 },
      },
    },
  });
  const entries = (res.suggest?.names ?? []) as estypes.SearchTermSuggest[];
  let changed = false;
  const words = entries.map((e) => {
    const best = (e.options as estypes.SearchTermSuggestOption[])[0];
    if (!best) return e.text;
    changed = true;
    return best.text;
  });
  return changed ? words.join(' ') : null;
}

export function createProductSearch(es: Client, options: ProductSearchOptions | string = {}) {
  const opts = typeof options === 'string' ? { index: options } : options;
  const index = opts.index ?? PRODUCTS_ALIAS;
  return {
    async search(q: SearchQuery) {
      const popular = q.sort === 'popularity' && opts.popularity ? await opts.popularity() : [];
      const res = await orUnavailable(() => es.search<ProductDocument>({ index, ...buildSearch(q, popular) }));
      const aggs = res.aggregations as Record<string, { values: { buckets: Bucket[] } }>;
      const hits = res.hits.total;
      const total = typeof hits === 'number' ? hits : (hits?.value ?? 0);
      // Only when nothing matched at all: a second, small request, so found searches pay nothing.
      const suggestion = total === 0 ? await orUnavailable(() => didYouMean(es, index, q.q)) : null;
      if (total === 0) opts.onNoResults?.({ q: q.q, category: q.category, did_you_mean: suggestion });
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
        total,
        did_you_mean: suggestion,
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

    /**
     * Names completing what was typed (any word of the name), active products only: every exact
     * completion first (a name starting with it before a later word starting with it, by the
     * inputs' weights), then completions one typo away fill what is left.
     */
    async suggest(prefix: string, size: number) {
      const res = await orUnavailable(() =>
        es.search<ProductDocument>({
          index,
          _source: ['id', 'name', 'category'],
          suggest: { exact: completion(prefix, size, false), fuzzy: completion(prefix, size, true) },
        }),
      );
      const optionsOf = (name: string) =>
        (res.suggest?.[name]?.[0]?.options ?? []) as estypes.SearchCompletionSuggestOption<ProductDocument>[];
      const seen = new Set<string>();
      const data: { id: string; name: string; category: string }[] = [];
      for (const o of [...optionsOf('exact'), ...optionsOf('fuzzy')]) {
        const s = o._source;
        if (!s?.name || seen.has(s.id!) || data.length >= size) continue;
        seen.add(s.id!);
        data.push({ id: s.id!, name: s.name, category: s.category! });
      }
      return { data };
    },
  };
}

export type ProductSearch = ReturnType<typeof createProductSearch>;
