/**
 * `npm run reconcile`: one payment-reconciliation pass now (the same pass the Temporal Schedule
 * `payments-reconciliation` runs: the gateway's, then cash on delivery's remittances), printing
 * what it applied, cancelled and reported. Safe to run
 * at any time, also while webhooks and the schedule run.
 */
import { getConfig } from '../platform/config';
import { closeDeps, createDeps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';
import { createPaymentActivities } from '../activities/payments';

const config = getConfig();
const deps = createDeps(config);
const services = createServices(deps, createLogger('warn', 'reconcile'));

try {
  // The scheduled pass's own activity: the gateway's half, then cash on delivery against the couriers' remittances.
  const report = await createPaymentActivities(services).reconcilePayments();
  console.log(
    `[reconcile] since ${report.since}: ${report.checked} transactions, ${report.gateway_intents} gateway intents`,
  );
  for (const a of report.applied) console.log(`  applied    order ${a.order_id}: gateway says ${a.status}`);
  for (const c of report.cancelled)
    console.log(`  cancelled  order ${c.order_id}: the gateway no longer knows its intent`);
  for (const i of report.issues)
    console.log(`  ISSUE      ${i.kind}: intent ${i.intent_id}, order ${i.order_id ?? '-'}`);
  const { cod } = report;
  if ('error' in cod) console.log(`  COD        not checked: ${cod.error}`);
  else {
    console.log(`  COD        ${cod.parcels} remitted parcels in ${cod.remittances} remittances`);
    for (const i of cod.issues) console.log(`  ISSUE      ${i.kind}: airway bill ${i.awb}, order ${i.order_id ?? '-'}`);
  }
  const codIssues = 'error' in cod ? 0 : cod.issues.length;
  if (report.applied.length + report.cancelled.length + report.issues.length + codIssues === 0)
    console.log('  all in agreement');
  if (report.issues.length + codIssues > 0) process.exitCode = 2;
  else if ('error' in cod) process.exitCode = 1;
} catch (err) {
  console.error(`[reconcile] FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
