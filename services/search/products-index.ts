/**
 * The Elasticsearch `products` index. The real index is versioned behind the `products` alias:
 * a mapping change bumps PRODUCTS_INDEX (`products_v3` today) and `npm run migrate` (or
 * `npm run search:reindex`) rebuilds into a new index and swaps the alias, so readers never see
 * an empty or half-built index (services/search/rebuild.ts).
 *
 * Only what the server core has (this stack's Elasticsearch has no analysis-common, no
 * mapper-extras, no painless): the standard analyzer, `index_prefixes` for prefix matching,
 * a completion field with a status context for suggestions. Valid on a full distribution too.
 * v2 over v1: `product_version` / `stock_version` (the last event applied to each half of the
 * document, so an older event never overwrites a newer one), `indexed_at` (what the reindex
 * catch-up pass scans), an explicit `suggest` field (inputs from every word, not only the first).
 * v3 over v2 (issue 23): `name_terms` / `body_terms`, the Bahasa Indonesia text of analysis.ts
 * (roots of affixed words, synonym groups, category words) indexed token by token with the
 * whitespace analyzer, since the `indonesian` analyzer and `synonym_graph` are not in the core;
 * weighted completion inputs (a name that starts with the typed text first).
 */
import type { Client, estypes } from '@elastic/elasticsearch';

export const PRODUCTS_ALIAS = 'products';
/** The mapping version; a rebuilt index is named `<PRODUCTS_INDEX>-<timestamp>` or exactly this. */
export const PRODUCTS_INDEX = 'products_v3';

export const productsMapping: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    sku: { type: 'keyword' },
    name: {
      type: 'text',
      analyzer: 'standard',
      // Prefix terms of 2-5 characters indexed beside the words: match_bool_prefix ("kopi ara")
      // becomes a term lookup instead of a scan over the term dictionary.
      index_prefixes: { min_chars: 2, max_chars: 5 },
      fields: { keyword: { type: 'keyword', ignore_above: 256 } },
    },
    description: { type: 'text', analyzer: 'standard' },
    name_terms: { type: 'text', analyzer: 'whitespace' },
    body_terms: { type: 'text', analyzer: 'whitespace' },
    category: { type: 'keyword' },
    status: { type: 'keyword' },
    // double, not float: a float keeps 7 significant digits and prices go to 10.
    price: { type: 'double' },
    weight_grams: { type: 'integer' },
    in_stock: { type: 'boolean' },
    available: { type: 'integer' },
    created_at: { type: 'date' },
    updated_at: { type: 'date' },
    product_version: { type: 'long' },
    stock_version: { type: 'long' },
    indexed_at: { type: 'date', format: 'epoch_millis' },
    suggest: {
      type: 'completion',
      analyzer: 'simple',
      // Suggestions are filtered to active products by this context, fed from `status`.
      contexts: [{ name: 'status', type: 'category', path: 'status' }],
    },
  },
};

export const productsSettings = { number_of_shards: 1, number_of_replicas: 0 } as const;

/** True when `index` was built with the current mapping version. */
export const isCurrentVersion = (index: string) => index === PRODUCTS_INDEX || index.startsWith(`${PRODUCTS_INDEX}-`);

/** The concrete index the alias points at, or undefined when there is no alias. */
export async function aliasTarget(es: Client, alias = PRODUCTS_ALIAS): Promise<string | undefined> {
  if (!(await es.indices.existsAlias({ name: alias }))) return undefined;
  const found = await es.indices.getAlias({ name: alias });
  return Object.keys(found)[0];
}

/** Creates an index with the current mapping (empty). */
export async function createProductsIndex(es: Client, index: string, settings: Record<string, unknown> = {}) {
  await es.indices.create({ index, settings: { ...productsSettings, ...settings }, mappings: productsMapping });
}
