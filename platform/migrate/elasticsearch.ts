/**
 * Brings the `products` alias to the current mapping version (services/search/products-index.ts):
 * a fresh stack gets the index and alias; an alias on an older version (`products_v1`) is rebuilt
 * from Postgres into the new version and swapped atomically (services/search/rebuild.ts), so a
 * mapping change ships with `npm run migrate` and search never goes empty. Returns what it did.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Db } from '../clients/prisma';
import type { Logger } from '../logger';
import { aliasTarget, isCurrentVersion } from '../../services/search/products-index';
import { rebuildProductsIndex } from '../../services/search/rebuild';

export async function migrateElasticsearch(es: Client, db: Db, logger: Logger): Promise<string[]> {
  const target = await aliasTarget(es);
  if (target === undefined) {
    // A fresh stack: build from Postgres (empty or not), so an existing catalog is searchable at once.
    const { index, documents } = await rebuildProductsIndex(db, es, logger);
    return [`created ${index} (${documents} products)`];
  }
  if (isCurrentVersion(target)) return [];
  const { index, documents } = await rebuildProductsIndex(db, es, logger);
  return [`${target} -> ${index} (${documents} products)`];
}
