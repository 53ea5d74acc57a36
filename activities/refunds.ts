/**
 * The refund path's steps, the only ones by which money and stock go back once an order was paid:
 * refund the payment (once per order and key, never beyond what was paid), put its deducted units
 * back on the shelf (deducted → restocked, once), and move the order to refunded (once, with its
 * `order.refunded` event). Which of them runs, and whether at all, is decided by the workflow that
 * owns the order at that moment: the shipment (cancel, operator refund, a failed parcel), the
 * complaint, or the refund of a payment that arrived after its checkout was undone.
 */
import type { InventoryStore } from '../services/catalog/inventory';
import type { OrderStore } from '../services/orders/store';
import type { PaymentStore } from '../services/payments/store';
import type { VoucherClaims } from '../services/promotions/claims';
import type { ShipmentStore } from '../services/shipments/shipment-store';
import { asActivity } from './business-failure';

export interface RefundActivityDeps {
  payments: Pick<PaymentStore, 'refund' | 'refunds' | 'get'>;
  inventory: Pick<InventoryStore, 'restock'>;
  orders: Pick<OrderStore, 'markRefunded' | 'closeUncollected' | 'refundReason'>;
  shipments: Pick<ShipmentStore, 'latestForOrder'>;
  promotions: { claims: Pick<VoucherClaims, 'release' | 'returnOnRefund' | 'claimsOf'> };
}

export function createRefundActivities(d: RefundActivityDeps) {
  /**
   * The reason to record: an operator's own, read back by id from the order service (it never
   * travels through the workflow), else the workflow's `reason` (a fixed label; in histories
   * recorded before reasons travelled by id, the operator's text itself).
   */
  const reasonOf = async (reason: string, reasonId?: string) =>
    (reasonId ? await d.orders.refundReason(reasonId) : undefined) ?? reason;
  const markOrderRefunded = (orderId: string, reason: string, reasonId?: string) =>
    asActivity(async () => {
      const payment = await d.payments.get(orderId);
      // Cash on delivery never collected: nothing was paid, so nothing was refunded; the order closes.
      if (payment?.method === 'cod' && payment.status === 'not_collected') {
        // Nothing was bought in the end: its vouchers (if any) go back as a cancelled checkout's do.
        if ((await d.promotions.claims.claimsOf(orderId)).some((c) => c.status === 'claimed'))
          await d.promotions.claims.release(orderId);
        return d.orders.closeUncollected(orderId, await reasonOf(reason, reasonId));
      }
      // Before the courier had it (a cancel or an operator's refund before pickup) nothing was
      // received: its vouchers go back whole, the shopper's use too, as a cancelled checkout's do.
      // Judged by the parcel, not the order's status, so a retry after the order moved says the same.
      const unshipped = !(await d.shipments.latestForOrder(orderId))?.picked_up_at;
      const refunded = await d.orders.markRefunded(orderId, await reasonOf(reason, reasonId));
      if (refunded && unshipped) await d.promotions.claims.release(orderId);
      // Received, then refunded: the campaign gets its budget back, the shopper's use stays spent.
      else if (refunded) await d.promotions.claims.returnOnRefund(orderId);
      return refunded;
    });
  /** `key`: the order id, or a replacement's own stock key (workflows/complaint-contract.ts). */
  const restockOrder = (key: string) => asActivity(async () => void (await d.inventory.restock(key)));

  return {
    /** Gives back what is left of the order's payment; a repeat with the same key is the same refund. */
    refundPayment: (orderId: string, reason: string, idempotencyKey: string, reasonId?: string) =>
      asActivity(
        async () => (await d.payments.refund(orderId, await reasonOf(reason, reasonId), idempotencyKey))?.status ?? 'none',
      ),

    /**
     * Gives back `amount` of the order's payment under the workflow's key (a complaint's partial or
     * whole refund); returns the payment's refunded total. Refused beyond what was paid.
     */
    refundComplaint: (input: { orderId: string; complaintId: string; amount: string; idempotencyKey: string }) =>
      asActivity(async () => {
        const refund = await d.payments.refunds.refund(
          input.orderId,
          input.amount,
          `complaint ${input.complaintId}`,
          input.idempotencyKey,
        );
        return { refund_id: refund.id, status: refund.status, refunded_total: refund.refunded_total };
      }),

    /** The order's deducted units back on the shelf; a second call finds them restocked. */
    restockOrder,
    markOrderRefunded,
    // The same steps under the names the shipment and complaint workflows schedule: their recorded
    // histories carry these names, so renaming the calls would break replay of running workflows.
    markShippedOrderRefunded: markOrderRefunded,
    markOrderRefundedByComplaint: (orderId: string, complaintId: string) =>
      markOrderRefunded(orderId, `refunded after complaint ${complaintId}`),
    restockReturnedGoods: (key: string, _complaintId: string) => restockOrder(key),
  };
}

export type RefundActivities = ReturnType<typeof createRefundActivities>;
