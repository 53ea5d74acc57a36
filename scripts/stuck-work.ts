/**
 * `npm run stuck [-- --older-than <seconds>]`: the stuck-work report (also GET /admin/stuck-work):
 * checkouts, refunds and payments that have sat in one step too long, and failed sagas.
 */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { stuckThresholds } from '../services/orders/stuck-work';

const config = getConfig();
const deps = createDeps(config);
const services = createServices(deps, createLogger('warn', 'stuck'));
const args = process.argv.slice(2);
const olderThan = args.includes('--older-than') ? Number(args[args.indexOf('--older-than') + 1]) : undefined;

try {
  const items = await services.stuckWork.run(stuckThresholds(config, olderThan));
  if (items.length === 0) console.log('[stuck] nothing is stuck');
  for (const i of items) console.log(`${i.since}  ${i.kind.padEnd(26)} ${i.ref}  ${JSON.stringify(i.detail)}`);
  if (items.length > 0) process.exitCode = 2;
} catch (err) {
  console.error(`[stuck] FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
