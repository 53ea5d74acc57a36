/**
 * `npm run reconcile`: one payment-reconciliation pass now (the same pass the Temporal Schedule
 * `payments-reconciliation` runs), printing what it applied, cancelled and reported. Safe to run
 * at any time, also while webhooks and the schedule run.
 */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';

const config = getConfig();
const deps = createDeps(config);
const services = createServices(deps, createLogger('warn', 'reconcile'));

try {
  const report = await services.reconciler.run();
  console.log(
    `[reconcile] since ${report.since}: ${report.checked} transactions, ${report.gateway_intents} gateway intents`,
  );
  for (const a of report.applied) console.log(`  applied    order ${a.order_id}: gateway says ${a.status}`);
  for (const c of report.cancelled)
    console.log(`  cancelled  order ${c.order_id}: the gateway no longer knows its intent`);
  for (const i of report.issues)
    console.log(`  ISSUE      ${i.kind}: intent ${i.intent_id}, order ${i.order_id ?? '-'}`);
  if (report.applied.length + report.cancelled.length + report.issues.length === 0) console.log('  all in agreement');
  if (report.issues.length > 0) process.exitCode = 2;
} catch (err) {
  console.error(`[reconcile] FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
