/**
 * The Elasticsearch `products` index: the seed's mapping plus what search needs (category and
 * status filters, available stock, a completion field for suggestions). The real index is
 * versioned (`products_v1`) behind the `products` alias, so a mapping change can be reindexed
 * into `products_v2` and the alias swapped without downtime.
 */
import type { Client } from '@elastic/elasticsearch';

export const PRODUCTS_ALIAS = 'products';
export const PRODUCTS_INDEX = 'products_v1';

export const productsMapping = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    sku: { type: 'keyword' },
    name: {
      type: 'text',
      fields: {
        keyword: { type: 'keyword' },
        suggest: { type: 'completion' },
      },
    },
    description: { type: 'text' },
    category: { type: 'keyword' },
    status: { type: 'keyword' },
    price: { type: 'float' },
    in_stock: { type: 'boolean' },
    available: { type: 'integer' },
    created_at: { type: 'date' },
    updated_at: { type: 'date' },
  },
} as const;

/** Creates the versioned index and its alias if missing. Returns true when it created them. */
export async function ensureProductsIndex(es: Client): Promise<boolean> {
  if (await es.indices.existsAlias({ name: PRODUCTS_ALIAS })) return false;
  if (!(await es.indices.exists({ index: PRODUCTS_INDEX }))) {
    await es.indices.create({
      index: PRODUCTS_INDEX,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: productsMapping,
    });
  }
  await es.indices.putAlias({ index: PRODUCTS_INDEX, name: PRODUCTS_ALIAS });
  return true;
}
