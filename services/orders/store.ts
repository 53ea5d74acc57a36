/**
 * The order service's store: pending orders with item and address snapshots, their totals and
 * their life (pending → paid → ... or cancelled/refunded). Each status change publishes an
 * `order.*` event through the outbox with an id derived from the order and the change, so a
 * retried activity re-emits nothing new.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { stableId } from '../../platform/ids';
import type { OrderStatus } from '../../contracts/states';

export { ORDER_STATUSES, type OrderStatus } from '../../contracts/states';

export interface OrderLine {
  product_id: string;
  product_name: string;
  unit_price: string;
  quantity: number;
  total_amount: string;
  product_snapshot: Record<string, unknown>;
}

export interface NewOrder {
  id: string;
  order_number: string;
  user_id: string;
  workflow_id: string;
  shipping_service: string;
  shipping_address: Record<string, unknown>;
  lines: OrderLine[];
}

type Tx = Prisma.TransactionClient;

/** What one shopper may hold unpaid at once, so nobody can hoard stock with open checkouts. */
export interface HoldingLimits {
  maxUnpaidOrders: number;
  maxUnpaidUnitsPerProduct: number;
}

/** Statuses in which the money was taken: only the refund path may touch such an order. */
export const PAID_STATUSES: OrderStatus[] = ['paid', 'processing', 'shipped', 'delivered', 'refunded'];

/** Statuses whose money may go back in full: every paid status but refunded itself. */
const REFUNDABLE: OrderStatus[] = ['paid', 'processing', 'shipped', 'delivered', 'returned', 'completed'];

/** The events an order is sold by (paid online, or confirmed cash on delivery): they name its vouchers. */
const SELLING_EVENTS = new Set(['order.paid', 'order.confirmed']);

export function createOrderStore(db: Db, limits: HoldingLimits) {
  const withItems = { items: true } as const;

  async function emit(tx: Tx, orderId: string, type: string, data: Record<string, unknown>) {
    await enqueueEvent(tx, {
      id: stableId(`${orderId}:${type}`),
      topic: TOPICS.orders,
      type,
      aggregateId: orderId,
      data,
    });
  }

  /**
   * The vouchers the order holds, for the events that sell it (analytics counts promotion spend per
   * voucher from them). A read of the promotions service's tables (voucher_claims, vouchers) through
   * the shared client, in the transition's transaction: importing the promotions store here would
   * tie the two stores together, and the checkout saga has claimed them before payment or
   * confirmation, so the live claims are the order's discounts.
   */
  async function claimedVouchers(tx: Tx, orderId: string) {
    const claims = await tx.voucherClaim.findMany({
      where: { order_id: orderId, status: 'claimed' },
      include: { voucher: { select: { code: true, name: true } } },
      // One voucher per kind at most (stacking rules): by kind is a stable order for the event.
      orderBy: [{ kind: 'asc' }, { voucher_id: 'asc' }],
    });
    return claims.map((c) => ({
      voucher_id: c.voucher_id,
      code: c.voucher.code,
      name: c.voucher.name,
      kind: c.kind,
      amount: c.amount.toFixed(2),
    }));
  }

  /** Moves an order between statuses once; returns false when it was not in any `from` status. */
  async function transition(
    orderId: string,
    from: OrderStatus[],
    to: OrderStatus,
    type: string,
    extra: Prisma.OrderUpdateManyMutationInput = {},
  ) {
    return db.$transaction(async (tx) => {
      const moved = await tx.order.updateMany({
        where: { id: orderId, status: { in: from } },
        data: { status: to, ...extra },
      });
      if (moved.count === 0) return false;
      const order = await tx.order.findUniqueOrThrow({ where: { id: orderId }, include: withItems });
      const vouchers = SELLING_EVENTS.has(type) ? await claimedVouchers(tx, orderId) : undefined;
      await emit(tx, orderId, type, {
        order_id: orderId,
        order_number: order.order_number,
        user_id: order.user_id,
        status: to,
        total_amount: order.total_amount.toFixed(2),
        // What vouchers took off (issue 22): the total is net of both.
        discount_amount: order.discount_amount.toFixed(2),
        shipping_discount: order.shipping_discount.toFixed(2),
        ...(vouchers ? { vouchers } : {}),
        reason: order.cancel_reason,
        // What was bought travels with the payment and the refund: consumers (recommendations,
        // analytics) need not keep order.created's lines around until the order settles.
        items: order.items.map((i) => ({
          product_id: i.product_id,
          quantity: i.quantity,
          unit_price: i.unit_price.toFixed(2),
        })),
      });
      return true;
    });
  }

  /**
   * Refuses an order that would take the shopper past the unpaid-checkout ceilings. Runs under a
   * per-shopper transaction lock, so two checkouts at once cannot both slip under the cap.
   */
  async function enforceHoldingLimits(tx: Tx, o: NewOrder) {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`orders:unpaid:${o.user_id}`}, 0))::text`;
    const unpaid = await tx.order.count({ where: { user_id: o.user_id, status: 'pending' } });
    if (unpaid >= limits.maxUnpaidOrders) {
      throw new AppError('limit_exceeded', `you already have ${unpaid} unpaid checkouts: pay or cancel one first`, {
        limit: 'unpaid_checkouts',
        max: limits.maxUnpaidOrders,
      });
    }
    const ids = o.lines.map((l) => l.product_id);
    const held = await tx.$queryRaw<{ product_id: string; units: number }[]>`
      SELECT i.product_id::text, SUM(i.quantity)::int AS units
      FROM orders.order_items i JOIN orders.orders o ON o.id = i.order_id
      WHERE o.user_id = ${o.user_id}::uuid AND o.status = 'pending' AND i.product_id = ANY(${ids}::uuid[])
      GROUP BY i.product_id`;
    const heldUnits = new Map(held.map((h) => [h.product_id, h.units]));
    for (const line of o.lines) {
      const units = (heldUnits.get(line.product_id) ?? 0) + line.quantity;
      if (units > limits.maxUnpaidUnitsPerProduct) {
        throw new AppError(
          'limit_exceeded',
          `at most ${limits.maxUnpaidUnitsPerProduct} units of one product can wait for payment`,
          {
            limit: 'unpaid_units_per_product',
            max: limits.maxUnpaidUnitsPerProduct,
            product_id: line.product_id,
            requested: units,
          },
        );
      }
    }
  }

  return {
    /**
     * Creates the pending order once; a retry with the same id returns the first while it is
     * pending. An order already settled (paid, cancelled...) is never reopened by a new run.
     */
    async createPending(o: NewOrder) {
      const existing = await db.order.findUnique({ where: { id: o.id }, include: withItems });
      if (existing && existing.status !== 'pending') {
        throw new AppError('conflict', `this checkout already ended: its order is ${existing.status}`, {
          reason: 'order_settled',
          status: existing.status,
        });
      }
      if (existing) return existing;
      const subtotal = o.lines.reduce((s, l) => s.add(l.total_amount), new Prisma.Decimal(0));
      try {
        return await db.$transaction(async (tx) => {
          await enforceHoldingLimits(tx, o);
          const order = await tx.order.create({
            data: {
              id: o.id,
              order_number: o.order_number,
              user_id: o.user_id,
              workflow_id: o.workflow_id,
              shipping_service: o.shipping_service,
              shipping_address: o.shipping_address as Prisma.InputJsonValue,
              subtotal,
              shipping_amount: 0,
              total_amount: subtotal,
              items: {
                create: o.lines.map((l) => ({ ...l, product_snapshot: l.product_snapshot as Prisma.InputJsonValue })),
              },
            },
            include: withItems,
          });
          await emit(tx, o.id, 'order.created', {
            order_id: o.id,
            order_number: o.order_number,
            user_id: o.user_id,
            subtotal: subtotal.toFixed(2),
            items: o.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity, unit_price: l.unit_price })),
          });
          return order;
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002')
          return db.order.findUniqueOrThrow({ where: { id: o.id }, include: withItems });
        throw err;
      }
    },

    /** Sets the shipping cost and the total while the order is pending. */
    async applyShipping(orderId: string, shippingAmount: string) {
      const order = await db.order.findUniqueOrThrow({ where: { id: orderId } });
      if (order.status !== 'pending') return order;
      const shipping = new Prisma.Decimal(shippingAmount);
      return db.order.update({
        where: { id: orderId },
        data: { shipping_amount: shipping, total_amount: order.subtotal.add(shipping) },
      });
    },

    /**
     * What the order's vouchers take off (the checkout's voucher step, after shipping is quoted):
     * set once while pending, the total net of both; a retry sets the same values again.
     */
    async applyDiscounts(orderId: string, discount: string, shippingDiscount: string) {
      const order = await db.order.findUniqueOrThrow({ where: { id: orderId } });
      if (order.status !== 'pending') return order;
      const off = new Prisma.Decimal(discount);
      const shippingOff = new Prisma.Decimal(shippingDiscount);
      return db.order.update({
        where: { id: orderId },
        data: {
          discount_amount: off,
          shipping_discount: shippingOff,
          total_amount: order.subtotal.add(order.shipping_amount).sub(off).sub(shippingOff),
        },
      });
    },

    /** Pending → paid; a retry after it happened is fine, any other status is refused. */
    async markPaid(orderId: string) {
      if (await transition(orderId, ['pending'], 'paid', 'order.paid')) return true;
      const order = await db.order.findUnique({ where: { id: orderId } });
      if (order?.status === 'paid') return true;
      throw new AppError('conflict', `an order that is ${order?.status ?? 'missing'} cannot be marked paid`, {
        reason: 'order_not_pending',
        status: order?.status ?? null,
      });
    },

    /**
     * Pending → confirmed: a cash-on-delivery order whose stock is taken and whose courier will
     * collect at the door (its `order.confirmed` starts the shipment, as `order.paid` does). A retry
     * after it happened is fine, any other status is refused.
     */
    async markConfirmed(orderId: string) {
      if (await transition(orderId, ['pending'], 'confirmed', 'order.confirmed')) return true;
      const order = await db.order.findUnique({ where: { id: orderId } });
      if (order?.status === 'confirmed') return true;
      throw new AppError('conflict', `an order that is ${order?.status ?? 'missing'} cannot be confirmed`, {
        reason: 'order_not_pending',
        status: order?.status ?? null,
      });
    },

    /**
     * A cash-on-delivery order whose cash was never collected (withdrawn before pickup, lost):
     * cancelled, as nothing was paid to refund. A returned parcel's order stays `returned`. True
     * when the order is (now or already) closed that way.
     */
    async closeUncollected(orderId: string, reason: string) {
      const closed = await transition(orderId, ['confirmed', 'processing', 'shipped'], 'cancelled', 'order.cancelled', {
        cancel_reason: reason.slice(0, 255),
      });
      if (closed) return true;
      const status = (await db.order.findUnique({ where: { id: orderId } }))?.status;
      return status === 'cancelled' || status === 'returned';
    },

    cancel: (orderId: string, reason: string) =>
      transition(orderId, ['pending'], 'cancelled', 'order.cancelled', { cancel_reason: reason.slice(0, 255) }),

    /**
     * A paid order whose payment the gateway reversed (settled, then denied) and whose parcel was
     * withdrawn: cancelled, as if never paid. From `refunded` too, since the shipment's refund
     * steps (which give nothing back for a reversed payment) may have marked it first. True when
     * the order is (now or already) cancelled.
     */
    async cancelReversed(orderId: string) {
      const reason = 'payment reversed by the gateway after settlement';
      if (await transition(orderId, ['paid', 'processing', 'refunded'], 'cancelled', 'order.cancelled', { cancel_reason: reason }))
        return true;
      return (await db.order.findUnique({ where: { id: orderId } }))?.status === 'cancelled';
    },

    /**
     * The one move of an order to refunded, whoever gave the money back (the shipment's owner of a
     * paid order, a complaint, a late payment's refund). Which orders may be refunded, and when, is
     * decided by the workflow that owns the order; this only refuses orders whose money was never
     * taken. True when the order is (now or already) refunded; false when it never was paid.
     */
    async markRefunded(orderId: string, reason: string) {
      if (await transition(orderId, REFUNDABLE, 'refunded', 'order.refunded', { cancel_reason: reason.slice(0, 255) }))
        return true;
      const order = await db.order.findUnique({ where: { id: orderId } });
      return order?.status === 'refunded';
    },

    /**
     * Keeps an operator's reason for refunding an order before its shipment is asked: the reason is
     * free text (operators write the shopper's bank account or phone in it), so it lives here and
     * the workflow is handed the request's id only (README: personal data stays out of Temporal).
     */
    async addRefundRequest(orderId: string, requestedBy: string, reason: string) {
      const row = await db.refundRequest.create({
        data: { order_id: orderId, requested_by: requestedBy, reason: reason.slice(0, 255) },
      });
      return row.id;
    },

    /** The reason of a refund request, as the refund steps read it back; undefined once dropped. */
    refundReason: async (requestId: string) =>
      (await db.refundRequest.findUnique({ where: { id: requestId } }))?.reason,

    /** Drops the request of a refund the shipment refused: it never happened, so neither did its reason. */
    dropRefundRequest: (requestId: string) => db.refundRequest.deleteMany({ where: { id: requestId } }),

    /** A shopper's own order; anyone else's is answered like a missing one. */
    async getOwn(orderId: string, userId: string) {
      const order = await db.order.findFirst({ where: { id: orderId, user_id: userId }, include: withItems });
      if (!order) throw new AppError('not_found', 'order not found');
      return order;
    },

    get: (orderId: string) => db.order.findUnique({ where: { id: orderId }, include: withItems }),

    /** Orders' numbers by id (an operator's list of other services' records names orders by number). */
    async numbersOf(orderIds: string[]) {
      const rows = await db.order.findMany({
        where: { id: { in: [...new Set(orderIds)] } },
        select: { id: true, order_number: true },
      });
      return new Map(rows.map((o) => [o.id, o.order_number]));
    },

    async listOwn(userId: string, page: number, pageSize: number) {
      const [data, total] = await Promise.all([
        db.order.findMany({
          where: { user_id: userId },
          include: withItems,
          orderBy: [{ created_at: 'desc' }, { id: 'asc' }],
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
        db.order.count({ where: { user_id: userId } }),
      ]);
      return { data, total };
    },
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;
