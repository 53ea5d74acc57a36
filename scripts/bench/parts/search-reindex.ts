/**
 * `npm run search:reindex`'s rebuild with N generated products added to the catalog (bulk-inserted
 * into Postgres with SKU prefix BENCHSRCH-<run>-, deleted afterwards), against the same rebuild of the
 * catalog as it is, same run. Both rebuild behind an alias of the bench's own, so the shop's
 * `products` alias and index are untouched.
 */
import { randomUUID } from 'node:crypto';
import { rebuildProductsIndex } from '../../../services/search/rebuild';
import { benchLogger } from '../lib/kafka';
import { round } from '../lib/load';
import { ratio, type BenchContext, type PartResult } from './context';

export async function searchReindexPart(ctx: BenchContext): Promise<PartResult> {
  const { db, search } = ctx.deps;
  const products = ctx.quick ? 2000 : 100_000;
  const run = randomUUID().slice(0, 8);
  const alias = `bench-reindex-${run}`;
  const prefix = `BENCHSRCH-${run}-`;
  const rebuild = () =>
    rebuildProductsIndex(ctx.services.catalogSnapshot, search, benchLogger, { alias, indexPrefix: alias });
  let index: string | undefined;
  try {
    const asIs = await rebuild();
    index = asIs.index;
    const t0 = performance.now();
    await db.$executeRawUnsafe(`
      INSERT INTO catalog.products (sku, name, description, price, category, status, weight_grams, updated_at)
      SELECT '${prefix}' || g, 'Produk Bench ' || g || ' ' || (ARRAY['Kopi','Teh','Batik','Sambal','Keripik'])[1 + g % 5],
             'Barang uji untuk benchmark pencarian', 1000 + (g % 500) * 1000, (ARRAY['groceries','fashion','home','toys'])[1 + g % 4],
             'active', 500, now()
      FROM generate_series(1, ${products}) g`);
    await db.$executeRawUnsafe(`
      INSERT INTO catalog.inventory (product_id, quantity) SELECT id, 10 FROM catalog.products WHERE sku LIKE '${prefix}%'`);
    const inserted = (performance.now() - t0) / 1000;
    const grown = await rebuild();
    index = grown.index;
    return {
      figures: {
        generated_products: products,
        generate_s: round(inserted),
        documents_as_is: asIs.documents,
        rebuild_as_is_s: round(asIs.ms / 1000),
        documents_grown: grown.documents,
        rebuild_grown_s: round(grown.ms / 1000),
      },
      ratios: [
        ratio(
          `rebuild with ${products} more products vs the catalog as it is (lower is better)`,
          grown.ms,
          asIs.ms,
          'ms',
        ),
      ],
    };
  } finally {
    await db.$executeRawUnsafe(
      `DELETE FROM catalog.inventory WHERE product_id IN (SELECT id FROM catalog.products WHERE sku LIKE '${prefix}%')`,
    );
    await db.$executeRawUnsafe(`DELETE FROM catalog.products WHERE sku LIKE '${prefix}%'`);
    if (index) await search.indices.delete({ index }).catch(() => undefined);
  }
}
