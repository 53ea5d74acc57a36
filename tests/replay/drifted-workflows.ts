/**
 * A deliberately incompatible edit of the checkout workflow (it reserves stock before creating
 * the order), used to prove the replay test catches a change that would break running sagas.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CheckoutActivities } from '../../activities/checkout';
import type { CheckoutInput } from '../../workflows/checkout-contract';

const steps = proxyActivities<CheckoutActivities>({ startToCloseTimeout: '30 seconds' });

export async function checkoutWorkflow(input: CheckoutInput): Promise<void> {
  const cart = await steps.validateCart(input.userId);
  await steps.reserveStock(input.orderId, cart.lines);
}
