/**
 * The complaint workflow's steps, each idempotent: mirror the case's state into the order
 * service (once per step), refund through the payment service (once per key, never beyond what
 * was paid), restock returned goods (deducted → restocked, once), and hold or release the
 * order's completion in its shipment workflow.
 */
import type { Services } from '../services';
import type { ComplaintOutcome, ComplaintStateName } from '../workflows/complaint-contract';
import { asActivity } from './business-failure';

export function createComplaintActivities(s: Services) {
  return {
    recordComplaintState: (input: {
      complaintId: string;
      orderId: string;
      state: ComplaintStateName;
      deadline: string | null;
      step: number;
      cause: string;
      outcome?: ComplaintOutcome | null;
      offerAmount?: string | null;
      refundedAmount?: string | null;
      returnTrackingNumber?: string | null;
    }) => asActivity(async () => void (await s.complaints.recordState(input))),

    /** Refunds `amount` of the order's payment under the workflow's key; returns the payment's refunded total. */
    refundComplaint: (input: { orderId: string; complaintId: string; amount: string; idempotencyKey: string }) =>
      asActivity(async () => {
        const refund = await s.payments.refunds.refund(
          input.orderId,
          input.amount,
          `complaint ${input.complaintId}`,
          input.idempotencyKey,
        );
        return { refund_id: refund.id, status: refund.status, refunded_total: refund.refunded_total };
      }),

    restockReturnedGoods: (orderId: string, _complaintId: string) =>
      asActivity(async () => void (await s.inventory.restock(orderId))),

    markOrderRefundedByComplaint: (orderId: string, complaintId: string) =>
      asActivity(() => s.complaints.markOrderRefunded(orderId, complaintId)),

    holdOrderCompletion: (orderId: string, complaintId: string) =>
      asActivity(() => s.complaintCases.holdCompletion(orderId, complaintId)),
    releaseOrderCompletion: (orderId: string, complaintId: string, _outcome: ComplaintOutcome) =>
      asActivity(() => s.complaintCases.releaseCompletion(orderId, complaintId)),
  };
}

export type ComplaintActivities = ReturnType<typeof createComplaintActivities>;
