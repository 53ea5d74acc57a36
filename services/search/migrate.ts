/**
 * Brings the `products` alias to the current mapping version (products-index.ts):
 * a fresh stack gets the index and alias; an alias on an older version (`products_v1`) is rebuilt
 * from Postgres into the new version and swapped atomically (rebuild.ts), so a
 * mapping change ships with `npm run migrate` and search never goes empty. Returns what it did.
 * It lives with the search service because it is built from that service's index rules.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../../platform/logger';
import type { CatalogSnapshot } from '../catalog/snapshot';
import { aliasTarget, isCurrentVersion, PRODUCTS_ALIAS, PRODUCTS_INDEX } from './products-index';
import { rebuildProductsIndex } from './rebuild';

/** What migrateElasticsearch would do, doing none of it: the alias missing, or on an older mapping version. */
export async function pendingElasticsearch(es: Client): Promise<string[]> {
  const target = await aliasTarget(es);
  if (target === undefined) return [`${PRODUCTS_ALIAS} alias missing`];
  return isCurrentVersion(target) ? [] : [`${PRODUCTS_ALIAS} on ${target}, not ${PRODUCTS_INDEX}`];
}

export async function migrateElasticsearch(es: Client, catalog: CatalogSnapshot, logger: Logger): Promise<string[]> {
  const target = await aliasTarget(es);
  if (target === undefined) {
    // A fresh stack: build from Postgres (empty or not), so an existing catalog is searchable at once.
    const { index, documents } = await rebuildProductsIndex(catalog, es, logger);
    return [`created ${index} (${documents} products)`];
  }
  if (isCurrentVersion(target)) return [];
  const { index, documents } = await rebuildProductsIndex(catalog, es, logger);
  return [`${target} -> ${index} (${documents} products)`];
}
