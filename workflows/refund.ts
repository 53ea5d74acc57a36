/**
 * Cancelling a paid order that has not shipped: refund the payment, put the stock back, mark the
 * order refunded. One per order (workflow id `refund:<order id>`), every step idempotent.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CheckoutActivities } from '../activities/checkout';

const steps = proxyActivities<CheckoutActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 },
});

export async function refundOrderWorkflow(input: { orderId: string; reason: string }): Promise<{ payment: string }> {
  const payment = await steps.refundPayment(input.orderId, input.reason, `${workflowInfo().workflowId}:refund`);
  await steps.restockOrder(input.orderId);
  await steps.markOrderRefunded(input.orderId, input.reason);
  return { payment };
}
