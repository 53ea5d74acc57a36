/**
 * Who decides when an order's money may go back: the workflow that owns the order at that moment.
 * A pending order belongs to its checkout (a cancel signal undoes it); a paid one, until the
 * courier has it, to its shipment (an update that withdraws the booking first, then refunds once,
 * whoever asks: the shopper cancelling or an operator refunding). An order in any other state is
 * refused at once with a 409 naming that state, without asking Temporal anything.
 */
import { AppError } from '../../platform/errors';
import { shipmentWorkflowId, type CancelRequester } from '../../workflows/shipment-contract';
import { cancelRefusal, type ShipmentCancel } from '../shipments/shipment-cancel';
import type { CheckoutClient } from './checkout-client';
import type { OrderStatus, OrderStore } from './store';

/** Order statuses past the courier's pickup: the parcel is on its way and the order stays. */
const PICKED_UP: OrderStatus[] = ['shipped', 'delivered', 'returned', 'completed'];

export interface CancelVerdict {
  order_id: string;
  status: 'cancelling' | 'refunding';
  workflow_id: string;
}

interface OrderRef {
  id: string;
  order_number: string;
  user_id: string;
  status: string;
  workflow_id: string | null;
}

export function createOrderCancellation(deps: {
  orders: Pick<OrderStore, 'get' | 'addRefundRequest' | 'dropRefundRequest'>;
  checkout: Pick<CheckoutClient, 'cancel'>;
  shipmentCancel: ShipmentCancel;
}) {
  const { orders, checkout, shipmentCancel } = deps;

  return {
    /**
     * Asks the order's owner to give its money back (or to undo its checkout), and answers with
     * the owner's verdict; throws a 409 naming the order's state when the owner refuses.
     */
    async cancel(order: OrderRef, by: CancelRequester, reason: string): Promise<CancelVerdict> {
      const status = order.status as OrderStatus;
      if (status === 'pending' && by === 'shopper' && order.workflow_id) {
        await checkout.cancel(order.workflow_id, reason);
        return { order_id: order.id, status: 'cancelling', workflow_id: order.workflow_id };
      }
      if (status === 'paid' || status === 'confirmed' || status === 'processing') {
        const ref = { orderId: order.id, orderNumber: order.order_number, userId: order.user_id };
        // An operator's reason is free text: kept by the order service first, the shipment handed its id.
        const reasonId = by === 'operator' ? await orders.addRefundRequest(order.id, by, reason) : undefined;
        const { workflowId, answer } = await shipmentCancel.cancel(ref, by, reasonId);
        if (answer.accepted) return { order_id: order.id, status: 'refunding', workflow_id: workflowId };
        // Refused: no refund came of it. (A call that failed otherwise may have been taken: its reason stays.)
        if (reasonId) await orders.dropRefundRequest(reasonId);
        throw cancelRefusal(answer, (await orders.get(order.id))?.status ?? status);
      }
      if (status === 'refunded') {
        // A repeat after the shipment's cancel ran its course gets the same answer; any other refund is not ours.
        const answer = await shipmentCancel.verdictOf(order.id);
        if (answer?.accepted)
          return { order_id: order.id, status: 'refunding', workflow_id: shipmentWorkflowId(order.id) };
        if (answer) throw cancelRefusal(answer, status);
      }
      if (PICKED_UP.includes(status)) throw cancelRefusal({ accepted: false, reason: 'already_picked_up' }, status);
      const what = by === 'shopper' ? 'cancelled' : 'refunded';
      throw new AppError('conflict', `an order that is ${status} cannot be ${what}`, {
        reason: 'order_status',
        status,
      });
    },
  };
}

export type OrderCancellation = ReturnType<typeof createOrderCancellation>;
