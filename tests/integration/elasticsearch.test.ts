import { PRODUCTS_ALIAS } from '../../services/search/products-index';
import { unique, useDeps } from '../support/deps';

describe('Elasticsearch', () => {
  const deps = useDeps();

  it('indexes a product into the products alias and finds it by a fuzzy full-text query', async () => {
    const { search } = deps();
    const id = unique('p');
    const word = `rendang${Math.random().toString(36).slice(2, 7)}`;
    await search.index({
      index: PRODUCTS_ALIAS,
      id,
      refresh: 'wait_for',
      document: {
        id,
        sku: id,
        name: `Bumbu ${word} Padang`,
        description: 'Bumbu instan khas Minang',
        category: 'groceries',
        status: 'active',
        price: 18500,
        in_stock: true,
        available: 12,
        created_at: new Date().toISOString(),
      },
    });
    const result = await search.search<{ id: string; price: number }>({
      index: PRODUCTS_ALIAS,
      query: {
        bool: {
          must: { match: { name: { query: word.slice(0, -1) + 'x', fuzziness: 'AUTO' } } },
          filter: [{ term: { in_stock: true } }],
        },
      },
    });
    expect(result.hits.hits.map((h) => h._source?.id)).toEqual([id]);
    expect(result.hits.hits[0]?._source?.price).toBe(18500);
  });

  it('refuses a document with a field the mapping does not know', async () => {
    const { search } = deps();
    await expect(search.index({ index: PRODUCTS_ALIAS, document: { id: 'x', colour: 'red' } })).rejects.toThrow(
      /strict_dynamic_mapping/,
    );
  });
});
