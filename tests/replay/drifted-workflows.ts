/**
 * Deliberately incompatible edits of the checkout workflow (it reserves stock before creating
 * the order), the shipment workflow (it books before creating the shipment) and the complaint
 * workflow (it refunds before holding the order's completion), used to prove
 * the replay test catches a change that would break running sagas.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CheckoutActivities } from '../../activities/checkout';
import type { ComplaintActivities } from '../../activities/complaints';
import type { RefundActivities } from '../../activities/refunds';
import type { ShipmentActivities } from '../../activities/shipment';
import type { CheckoutInput } from '../../workflows/checkout-contract';
import type { ComplaintInput } from '../../workflows/complaint-contract';
import type { ShipmentInput } from '../../workflows/shipment-contract';

const steps = proxyActivities<CheckoutActivities>({ startToCloseTimeout: '30 seconds' });

export async function checkoutWorkflow(input: CheckoutInput): Promise<void> {
  const cart = await steps.validateCart(input.userId);
  await steps.reserveStock(input.orderId, cart.lines);
}

const shipping = proxyActivities<ShipmentActivities>({ startToCloseTimeout: '30 seconds' });

export async function shipmentWorkflow(input: ShipmentInput): Promise<void> {
  await shipping.bookCarrier({ orderId: input.orderId, shipmentId: input.orderId, attempt: 1 });
}

const complaints = proxyActivities<ComplaintActivities & RefundActivities>({ startToCloseTimeout: '30 seconds' });

/** Refunds before holding the order's completion: a different first command than the real case. */
export async function complaintWorkflow(input: ComplaintInput): Promise<void> {
  await complaints.refundComplaint({
    orderId: input.orderId,
    complaintId: input.complaintId,
    amount: input.paidAmount,
    idempotencyKey: 'drifted',
  });
}
