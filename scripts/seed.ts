/**
 * `npm run seed`: the configured admin account and the demo catalog. Idempotent: products whose
 * SKU exists are left alone (their stock is not reset), new ones publish product.upserted.
 */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { demoCatalog } from './lib/demo-catalog';

const config = getConfig();
const logger = createLogger('warn', 'seed');
const deps = createDeps(config);
const services = createServices(deps, logger);

try {
  await services.auth.ensureAdmin(config.auth.admin.email, config.auth.admin.password);
  const catalog = demoCatalog();
  const existing = new Set(
    (await deps.db.product.findMany({ where: { sku: { in: catalog.map((p) => p.sku) } }, select: { sku: true } })).map(
      (p) => p.sku,
    ),
  );
  const missing = catalog.filter((p) => !existing.has(p.sku));
  for (const product of missing) await services.products.create(product);
  console.log(
    `[seed] admin ${config.auth.admin.email}; demo catalog: ${missing.length} added, ${existing.size} already there`,
  );
} catch (err) {
  console.error(`[seed] FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
