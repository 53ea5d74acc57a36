/**
 * The owner of a payment that arrived after its checkout was undone (the order is cancelled and
 * no other workflow owns it): the money goes back through the refund path's steps. One per order
 * (workflow id `refund:<order id>`), every step idempotent. Paid orders are owned by their
 * shipment, whose cancelOrder update refunds them; this workflow no longer serves them.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RefundActivities } from '../activities/refunds';

const steps = proxyActivities<RefundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 },
});

export async function refundOrderWorkflow(input: { orderId: string; reason: string }): Promise<{ payment: string }> {
  const payment = await steps.refundPayment(input.orderId, input.reason, `${workflowInfo().workflowId}:refund`);
  // Histories recorded before this workflow served only undone checkouts restock and mark too;
  // both find nothing to do on a cancelled order (its units were released, never deducted).
  await steps.restockOrder(input.orderId);
  await steps.markOrderRefunded(input.orderId, input.reason);
  return { payment };
}
