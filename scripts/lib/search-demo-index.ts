/**
 * A private products index holding the demo catalog, built the way the reindex builds one
 * (services/search/rebuild.ts's documents, the current mapping), for judging relevance without
 * the running shop's data: the bench part search_quality and the relevance test use it.
 * Deterministic: the same ids, stock and creation times every run, refreshed before it returns.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { productHalf, stockHalf, type ProductDocument } from '../../services/search/document';
import { createProductsIndex } from '../../services/search/products-index';
import { demoCatalog } from './demo-catalog';

const idOf = (sku: string) => {
  const h = createHash('sha256').update(sku).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** The demo catalog as search documents; product i was created i minutes after a fixed day. */
export function demoDocuments(): ProductDocument[] {
  const base = Date.UTC(2026, 0, 1);
  return demoCatalog().map((p, i) => {
    const at = new Date(base + i * 60_000).toISOString();
    return {
      ...productHalf({
        id: idOf(p.sku),
        sku: p.sku,
        name: p.name,
        description: p.description ?? '',
        price: p.price,
        category: p.category ?? 'uncategorized',
        status: 'active',
        weight_grams: p.weight_grams ?? 0,
        created_at: at,
        updated_at: at,
      }),
      ...stockHalf(p.quantity ?? 0),
      product_version: 1,
      stock_version: 0,
      indexed_at: 0,
    };
  });
}

/** Creates `<name>_demo` behind the alias `<name>` with the demo catalog; returns the alias. */
export async function buildDemoIndex(es: Client, name: string): Promise<string> {
  const index = `${name}_demo`;
  await createProductsIndex(es, index);
  const operations = demoDocuments().flatMap((d) => [{ index: { _index: index, _id: d.id } }, d]);
  const res = await es.bulk({ operations, refresh: 'wait_for' });
  if (res.errors) throw new Error(`demo index: ${JSON.stringify(res.items.find((i) => i.index?.error))}`);
  await es.indices.putAlias({ index, name });
  await es.indices.refresh({ index });
  return name;
}

export async function dropDemoIndex(es: Client, name: string) {
  await es.indices.delete({ index: `${name}_demo` }, { ignore: [404] });
}
