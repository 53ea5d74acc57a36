/**
 * One payment-reconciliation pass, started by the Temporal Schedule `payments-reconciliation`
 * (services/payments/schedule.ts). A workflow rather than a cron so an operator sees every run,
 * its report and its failures in the Web UI, and a pass that crashes is retried.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/payments';

const { reconcilePayments } = proxyActivities<PaymentActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function reconcilePaymentsWorkflow() {
  return reconcilePayments();
}
