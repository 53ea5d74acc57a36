/**
 * `npm run search:reindex [-- --keep-previous]`: rebuilds the products index from Postgres into a
 * new versioned index and swaps the `products` alias atomically, while the search consumer keeps
 * running (services/search/rebuild.ts says why nothing is lost and search is never empty).
 */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { rebuildProductsIndex } from '../services/search/rebuild';

const config = getConfig();
const deps = createDeps(config);
const logger = createLogger('warn', 'search-reindex');

try {
  const r = await rebuildProductsIndex(createServices(deps, logger).catalogSnapshot, deps.search, logger, {
    keepPrevious: process.argv.includes('--keep-previous'),
  });
  console.log(
    `[search:reindex] ${r.documents} products into ${r.index}; alias moved from ${r.previous ?? '(none)'}; ` +
      `${r.caughtUp} updates caught up from the old index; ${(r.ms / 1000).toFixed(1)} s`,
  );
} catch (err) {
  console.error(`[search:reindex] FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
