/**
 * The order service's side of shipping: a paid order moves paid → processing → shipped →
 * delivered → completed, or → returned (to refunded only through the order store's markRefunded).
 * The shipment workflow drives it; each move happens once (a conditional update from the allowed
 * statuses) and publishes its `order.*` event through the outbox with an id from the move.
 */
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';

export type FulfilmentStatus = 'processing' | 'shipped' | 'delivered' | 'returned' | 'completed';

/** Where each status may be entered from. Listing the target itself makes a retry a no-op. */
const FROM: Record<FulfilmentStatus, string[]> = {
  // confirmed: a cash-on-delivery order (nothing paid before shipping).
  processing: ['paid', 'confirmed'],
  shipped: ['processing'],
  delivered: ['shipped'],
  returned: ['shipped', 'processing'],
  completed: ['delivered'],
};

export function createFulfilmentStore(db: Db) {
  /** Moves the order once; true if it is (now or already) in `to`, a conflict if it cannot get there. */
  async function advance(orderId: string, to: FulfilmentStatus, shipmentId: string | null) {
    const moved = await db.$transaction(async (tx) => {
      const changed = await tx.order.updateMany({
        where: { id: orderId, status: { in: FROM[to] } },
        data: { status: to },
      });
      if (changed.count === 0) return false;
      const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
      await enqueueEvent(tx, {
        id: stableId(`${orderId}:order.${to}`),
        topic: TOPICS.orders,
        type: `order.${to}`,
        aggregateId: orderId,
        data: {
          order_id: orderId,
          order_number: order.order_number,
          user_id: order.user_id,
          status: to,
          shipment_id: shipmentId,
        },
      });
      return true;
    });
    if (moved) return true;
    const order = await db.order.findUnique({ where: { id: orderId } });
    if (order?.status === to) return true;
    // A complaint that refunded the order decided its fate: there is nothing left to complete.
    if (to === 'completed' && order?.status === 'refunded') return false;
    throw new AppError('conflict', `an order that is ${order?.status ?? 'missing'} cannot become ${to}`, {
      reason: 'order_status',
      status: order?.status ?? null,
    });
  }

  return { advance };
}

export type FulfilmentStore = ReturnType<typeof createFulfilmentStore>;
