/**
 * Rebuilds the products index from Postgres into a new versioned index and swaps the alias,
 * while the search consumer keeps writing (`npm run search:reindex`, and the migration to a new
 * mapping version). Why search is never empty or wrong, and no update is lost:
 *
 * 1. The new index is loaded from one snapshot of the catalog, read by the catalog service with
 *    each product's aggregate versions in the same snapshot (services/catalog/snapshot.ts), so
 *    every document says exactly which events it holds.
 *    Meanwhile the consumer writes through the alias to the old index, stamping `indexed_at`.
 * 2. Catch-up pass 1: every old-index document written since the rebuild began (`indexed_at`)
 *    is merged into the new index, version-checked (document.ts): an event newer than the
 *    snapshot wins, an older one is dropped.
 * 3. The alias moves in one atomic `_aliases` call: readers see the old index, then the new one,
 *    both complete. Then the old index gets a write block, which waits for writes in flight; a
 *    consumer write aimed at it afterwards fails and is retried through the alias (indexer.ts).
 * 4. Catch-up pass 2 merges what landed in the old index between pass 1 and the block. After it,
 *    the old index can receive nothing more, so it is deleted (or kept with `keepPrevious`).
 * Events committed after the snapshot reach the new index either through a catch-up pass (the
 * consumer wrote them to the old index) or directly (written after the swap); events before it
 * are already in the snapshot, so their late delivery is a no-op.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../../platform/logger';
import type { CatalogSnapshot, SnapshotProduct } from '../catalog/snapshot';
import { fromDocument, productHalf, stockHalf, type ProductDocument } from './document';
import { createIndexer } from './indexer';
import { aliasTarget, createProductsIndex, PRODUCTS_ALIAS, PRODUCTS_INDEX } from './products-index';

/** `indexed_at` is stamped by the consumer's clock: allow this much skew between hosts. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface RebuildOptions {
  alias?: string;
  /** The new index is `<indexPrefix>-<timestamp>`. */
  indexPrefix?: string;
  batchSize?: number;
  keepPrevious?: boolean;
  /** Called after the snapshot is loaded, before the catch-up and the swap (tests widen the window here). */
  afterLoad?: () => Promise<void>;
}

export interface RebuildResult {
  index: string;
  previous?: string;
  documents: number;
  caughtUp: number;
  ms: number;
}

/**
 * `indexed_at` 0: a snapshot document is not a consumer write, so the next rebuild's catch-up
 * never copies it (it would bring back a row deleted from Postgres since).
 */
export function toDocument(p: SnapshotProduct): ProductDocument {
  return {
    ...productHalf({ ...p.view, status: p.view.status as 'active' }),
    ...stockHalf(p.view.available),
    product_version: p.productVersion,
    stock_version: p.stockVersion,
    indexed_at: 0,
  };
}

const stamp = () =>
  new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .toLowerCase();

/** Loads every product of one catalog snapshot into `index`; returns how many. */
function loadSnapshot(catalog: Pick<CatalogSnapshot, 'walk'>, es: Client, index: string, batchSize: number) {
  return catalog.walk(batchSize, async (batch) => {
    const operations = batch.flatMap((p) => [{ index: { _index: index, _id: p.view.id } }, toDocument(p)]);
    const res = await es.bulk({ operations });
    if (res.errors)
      throw new Error(`bulk load into ${index} failed: ${JSON.stringify(res.items.find((i) => i.index?.error))}`);
  });
}

/** Merges every document of `from` written since `since` into `to`, newest version wins. */
async function catchUp(es: Client, from: string, to: string, since: number): Promise<number> {
  await es.indices.refresh({ index: from });
  const target = createIndexer(es, to);
  let searchAfter: estypesSortResults | undefined;
  let written = 0;
  for (;;) {
    const res = await es.search<ProductDocument>({
      index: from,
      size: 1000,
      query: { range: { indexed_at: { gte: since } } },
      sort: [{ id: 'asc' }],
      search_after: searchAfter,
    });
    const hits = res.hits.hits;
    if (hits.length === 0) break;
    written += await target.applyMany(hits.map((h) => fromDocument(h._id!, h._source!)));
    searchAfter = hits[hits.length - 1]!.sort;
  }
  return written;
}
type estypesSortResults = (string | number | boolean | null)[];

/** `catalog`: the catalog service's snapshot (services/catalog/snapshot.ts), the only reader of its tables. */
export async function rebuildProductsIndex(
  catalog: Pick<CatalogSnapshot, 'walk'>,
  es: Client,
  logger: Logger,
  options: RebuildOptions = {},
) {
  const started = Date.now();
  const alias = options.alias ?? PRODUCTS_ALIAS;
  const previous = await aliasTarget(es, alias);
  const index = `${options.indexPrefix ?? PRODUCTS_INDEX}-${stamp()}`;
  // No refresh while loading (one at the end), the usual bulk-load setting.
  await createProductsIndex(es, index, { refresh_interval: '-1' });
  try {
    const documents = await loadSnapshot(catalog, es, index, options.batchSize ?? 2000);
    await es.indices.putSettings({ index, settings: { refresh_interval: '1s' } });
    await es.indices.refresh({ index });
    logger.info({ index, documents, ms: Date.now() - started }, 'snapshot loaded');
    await options.afterLoad?.();
    const since = started - CLOCK_SKEW_MS;
    let caughtUp = previous ? await catchUp(es, previous, index, since) : 0;
    await es.indices.updateAliases({
      actions: [...(previous ? [{ remove: { index: previous, alias } }] : []), { add: { index, alias } }],
    });
    if (previous) {
      await es.indices.addBlock({ index: previous, block: 'write' });
      caughtUp += await catchUp(es, previous, index, since);
      if (!options.keepPrevious) await es.indices.delete({ index: previous });
    }
    await es.indices.refresh({ index });
    const result: RebuildResult = { index, previous, documents, caughtUp, ms: Date.now() - started };
    logger.info(result, 'alias swapped');
    return result;
  } catch (err) {
    // The alias never moved (or the failure is after it moved, in which case the new index is live).
    if (!(await aliasTarget(es, alias).catch(() => undefined))?.startsWith(index))
      await es.indices.delete({ index }, { ignore: [404] }).catch(() => undefined);
    throw err;
  }
}
