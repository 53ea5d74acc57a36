/**
 * A settled payment the gateway later denied (webhook-rules.ts REVERSAL): the money never
 * arrived, so the order must not ship and nothing is refunded. Before the courier has the parcel,
 * the order's shipment is asked to withdraw it through the one cancel path (the cancelOrder update,
 * by 'gateway'): the booking is withdrawn and the stock restocked as a cancel does, the refund step
 * finding nothing to give back (a reversed payment), and the order becomes cancelled. Once the
 * parcel is picked up (or the shipment refuses), it is left to an operator: a `settled_then_denied`
 * reconciliation issue (GET /admin/payments/reconciliation-issues) and a payment.reversal_flagged
 * event. Every step is idempotent: a repeated deny, or reconciliation finding it again, does nothing twice.
 */
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import type { Logger } from '../../platform/logger';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { CancelAnswer } from '../../workflows/shipment-contract';
import type { OrderStore } from '../orders/store';

/**
 * Order statuses whose parcel has not left, so the shipment may still withdraw it; `refunded` is
 * one when the shipment's refund steps marked it before this cancelled it (the shipment answers a
 * repeat with its first answer, and a refund by a complaint with a refusal, which is flagged).
 */
const MAY_WITHDRAW = new Set(['paid', 'processing', 'refunded']);

export type Withdraw = (order: { orderId: string; orderNumber: string; userId: string }) => Promise<CancelAnswer>;

export function createPaymentReversal(
  deps: {
    db: Db;
    gatewayName: string;
    orders: Pick<OrderStore, 'get' | 'cancelReversed'>;
    withdraw: Withdraw;
    /** The inventory's restock (deducted → restocked, once: the shipment's own restock step then finds it done). */
    restock: (orderId: string) => Promise<unknown>;
  },
  logger: Logger,
) {
  const { db, orders, withdraw } = deps;

  async function flag(orderId: string, orderStatus: string, answer: string | null) {
    const txn = await db.transaction.findUnique({ where: { order_id: orderId } });
    if (!txn?.gateway_transaction_id) return;
    const intentId = txn.gateway_transaction_id;
    await db.$transaction(async (tx) => {
      const key = { kind: 'settled_then_denied', gateway: deps.gatewayName, intent_id: intentId };
      const known = await tx.reconciliationIssue.findUnique({ where: { kind_gateway_intent_id: key } });
      if (known) {
        await tx.reconciliationIssue.update({ where: { id: known.id }, data: { last_seen_at: new Date() } });
        return;
      }
      await tx.reconciliationIssue.create({
        data: {
          ...key,
          order_id: orderId,
          details: { amount: txn.amount.toFixed(2), currency: txn.currency, order_status: orderStatus, shipment: answer },
        },
      });
      await enqueueEvent(tx, {
        id: stableId(`reversal-flagged:${intentId}`),
        topic: TOPICS.payments,
        type: 'payment.reversal_flagged',
        aggregateId: orderId,
        data: {
          order_id: orderId,
          transaction_id: txn.id,
          amount: txn.amount.toFixed(2),
          currency: txn.currency,
          gateway_event_id: `${intentId}:deny`,
          reason: 'settled then denied after the parcel was picked up',
          order_status: orderStatus,
          shipment_answer: answer,
          method: txn.method,
          method_detail: txn.method_detail,
        },
      });
    });
    logger.error(
      { alert: 'payment_reversed_after_pickup', order_id: orderId, intent_id: intentId, order_status: orderStatus },
      'a settled payment was denied after its parcel left: flagged for an operator',
    );
  }

  return {
    /** What a reversal does to its order: 'withdrawn', 'flagged', or 'nothing' (never paid or already cancelled). */
    async handle(orderId: string): Promise<'withdrawn' | 'flagged' | 'nothing'> {
      const order = await orders.get(orderId);
      if (!order || order.status === 'cancelled') return 'nothing';
      // Settled while its checkout is still finishing: answered 503, so the gateway sends the deny
      // again once the order is paid (it would otherwise ship unstopped).
      if (order.status === 'pending')
        throw new AppError('dependency_unavailable', 'the order is still settling its payment: send the deny again', {
          reason: 'checkout_settling',
        });
      if (!MAY_WITHDRAW.has(order.status)) {
        await flag(orderId, order.status, null);
        return 'flagged';
      }
      const answer = await withdraw({ orderId, orderNumber: order.order_number, userId: order.user_id });
      if (answer.accepted) {
        await orders.cancelReversed(orderId);
        // Not left to the shipment's refund steps alone: a worker of an older release refuses to
        // refund a reversed payment and would never reach its restock (it stays idempotent there).
        await deps.restock(orderId);
        logger.warn({ order_id: orderId }, 'payment reversed after settlement: parcel withdrawn, order cancelled');
        return 'withdrawn';
      }
      // Picked up meanwhile, or refunded another way (a complaint): an operator decides.
      await flag(orderId, (await orders.get(orderId))?.status ?? order.status, answer.reason);
      return 'flagged';
    },
  };
}

export type PaymentReversal = ReturnType<typeof createPaymentReversal>;
