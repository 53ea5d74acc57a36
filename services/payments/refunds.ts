/**
 * Refunds of a payment, full or partial, each at most once and together never more than was
 * paid. A refund first claims its amount on the payment's running total (`refunded_total`, one
 * conditional UPDATE under the row's lock, with a CHECK behind it), then asks the gateway; two
 * refunds racing cannot both fit, whatever order they commit in. Each refund is a row
 * (refunding → refunded | refund_failed) keyed by its idempotency key, so a retried activity
 * finds its first attempt and asks the gateway again with the same key (the gateway dedupes).
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { PaymentGateway } from './gateway';
import { maskedAccount, refundChannelOf, type RefundAccountInput, type RefundChannel } from './refund-channel';

type Tx = Prisma.TransactionClient;

export interface RefundView {
  id: string;
  order_id: string;
  amount: string;
  status: 'refunding' | 'refunded' | 'refund_failed';
  /** Everything claimed against the payment so far, this refund included. */
  refunded_total: string;
}

/** What a gateway's refund webhook says about one of our refunds. */
export interface RefundNotice {
  refundId: string;
  gatewayRefundId: string;
  amount: string;
  eventId: string;
  succeeded: boolean;
}

export function createRefundStore(db: Db, gateway: PaymentGateway) {
  async function view(refundId: string): Promise<RefundView> {
    const r = await db.refund.findUniqueOrThrow({ where: { id: refundId }, include: { transaction: true } });
    return {
      id: r.id,
      order_id: r.order_id,
      amount: r.amount.toFixed(2),
      status: r.status as RefundView['status'],
      refunded_total: r.transaction.refunded_total.toFixed(2),
    };
  }

  /** Claims the amount on the running total and records the refund, or says why it cannot. */
  async function claim(orderId: string, amount: Prisma.Decimal, reason: string, key: string, channel: RefundChannel) {
    return db.$transaction(async (tx) => {
      const earlier = await tx.refund.findUnique({ where: { idempotency_key: key } });
      if (earlier) return earlier;
      const claimed = await tx.$queryRaw<{ id: string; refunded_total: Prisma.Decimal; amount: Prisma.Decimal }[]>`
        UPDATE payments.transactions
        SET refunded_total = refunded_total + ${amount}::numeric,
            status = CASE WHEN refunded_total + ${amount}::numeric = amount THEN 'refunding' ELSE status END,
            updated_at = now()
        WHERE order_id = ${orderId}::uuid AND status = 'success' AND refunded_total + ${amount}::numeric <= amount
        RETURNING id::text, refunded_total, amount`;
      if (claimed.length === 0) await refuse(tx, orderId, amount);
      return tx.refund.create({
        data: {
          transaction_id: claimed[0]!.id,
          order_id: orderId,
          amount,
          reason: reason.slice(0, 255),
          idempotency_key: key,
          channel,
        },
      });
    });
  }

  async function refuse(tx: Tx, orderId: string, amount: Prisma.Decimal): Promise<never> {
    const txn = await tx.transaction.findUnique({ where: { order_id: orderId } });
    if (!txn) throw new AppError('not_found', 'no payment for this order');
    if (txn.refunded_total.add(amount).gt(txn.amount)) {
      throw new AppError('conflict', 'refunds would exceed the amount paid', {
        reason: 'refund_exceeds_paid',
        paid: txn.amount.toFixed(2),
        refunded: txn.refunded_total.toFixed(2),
        requested: amount.toFixed(2),
      });
    }
    throw new AppError('conflict', `cannot refund a payment that is ${txn.status}`, {
      reason: 'payment_not_refundable',
    });
  }

  /** A refund the gateway refused: its claim goes back to the running total, once. */
  async function fail(tx: Tx, refundId: string) {
    const failed = await tx.refund.updateManyAndReturn({
      where: { id: refundId, status: 'refunding' },
      data: { status: 'refund_failed' },
    });
    if (failed.length === 0) return;
    await tx.$executeRaw`
      UPDATE payments.transactions
      SET refunded_total = refunded_total - ${failed[0]!.amount}::numeric,
          status = CASE WHEN status = 'refunding' THEN 'success' ELSE status END, updated_at = now()
      WHERE id = ${failed[0]!.transaction_id}::uuid`;
  }

  return {
    /**
     * Refunds `amount` of the order's payment (idempotent by key). A refund that would take the
     * total past what was paid is refused (409 refund_exceeds_paid) before the gateway hears of it.
     */
    async refund(orderId: string, amount: string, reason: string, key: string): Promise<RefundView> {
      const value = new Prisma.Decimal(amount);
      if (!value.isFinite() || value.lte(0) || value.decimalPlaces() > 2) {
        throw new AppError('validation_failed', 'amount must be a positive amount with at most two decimals', {
          field: 'amount',
        });
      }
      const payment = await db.transaction.findUnique({ where: { order_id: orderId } });
      const row = await claim(orderId, value, reason, key, payment ? refundChannelOf(payment, value) : 'gateway');
      // A manual transfer waits for an operator (markTransferred); the gateway never hears of it.
      if (row.status !== 'refunding' || row.channel === 'manual_transfer') return view(row.id);
      const txn = await db.transaction.findUniqueOrThrow({ where: { id: row.transaction_id } });
      try {
        const answer = await gateway.refund(txn.gateway_transaction_id!, row.amount.toFixed(2), key, row.id);
        await db.refund.updateMany({
          where: { id: row.id, gateway_refund_id: null },
          data: { gateway_refund_id: answer.id },
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err; // unreachable gateway: the activity retries with the same key
        await db.$transaction((tx) => fail(tx, row.id));
        throw err;
      }
      return view(row.id);
    },

    /** Applies a refund webhook to its refund row (in the webhook's transaction); false if it names none. */
    async applyNotice(tx: Tx, notice: RefundNotice): Promise<boolean> {
      const row = await tx.refund.findUnique({ where: { id: notice.refundId }, include: { transaction: true } });
      if (!row || !row.amount.equals(new Prisma.Decimal(notice.amount))) return false;
      if (!notice.succeeded) {
        await fail(tx, row.id);
        return true;
      }
      const moved = await tx.refund.updateMany({
        where: { id: row.id, status: 'refunding' },
        data: { status: 'refunded', gateway_refund_id: notice.gatewayRefundId },
      });
      if (moved.count === 0) return true;
      const txn = row.transaction;
      const done = await tx.refund.aggregate({
        where: { transaction_id: txn.id, status: 'refunded' },
        _sum: { amount: true },
      });
      if ((done._sum.amount ?? new Prisma.Decimal(0)).equals(txn.amount)) {
        await tx.transaction.updateMany({
          where: { id: txn.id, status: { in: ['success', 'refunding'] } },
          data: { status: 'refunded' },
        });
      }
      await enqueueEvent(tx, {
        id: stableId(`refund:${row.id}:refunded`),
        topic: TOPICS.payments,
        type: 'payment.refunded',
        aggregateId: row.order_id,
        data: {
          order_id: row.order_id,
          transaction_id: txn.id,
          amount: row.amount.toFixed(2),
          currency: txn.currency,
          gateway_event_id: notice.eventId,
          reason: row.reason,
          refund_id: row.id,
          refunded_total: txn.refunded_total.toFixed(2),
        },
      });
      return true;
    },

    /**
     * The shopper's bank account for the manual refund of their own order (404 for anyone else's):
     * kept here only, given back masked. A second call replaces it while no transfer was made.
     */
    async giveAccount(orderId: string, userId: string, account: RefundAccountInput) {
      const txn = await db.transaction.findUnique({ where: { order_id: orderId } });
      if (!txn || txn.user_id !== userId) throw new AppError('not_found', 'no payment for this order');
      const transferred = await db.refund.count({ where: { order_id: orderId, transferred_at: { not: null } } });
      if (transferred > 0)
        throw new AppError('conflict', 'the refund was already transferred to the account given', {
          reason: 'already_transferred',
        });
      const row = await db.refundAccount.upsert({
        where: { order_id: orderId },
        create: { order_id: orderId, user_id: userId, ...account },
        update: account,
      });
      return maskedAccount(row);
    },

    /**
     * An operator made the manual bank transfer of a refund: it is refunded as a gateway's
     * notification would settle it (the payment refunded once all is back, payment.refunded).
     * Idempotent; 409 for a gateway refund or while the shopper has given no account.
     */
    async markTransferred(refundId: string, operatorId: string): Promise<RefundView & { channel: string }> {
      const row = await db.refund.findUnique({ where: { id: refundId } });
      if (!row) throw new AppError('not_found', 'no such refund');
      if (row.channel !== 'manual_transfer')
        throw new AppError('conflict', 'this refund goes back through the gateway, not by a manual transfer', {
          reason: 'not_a_manual_refund',
        });
      if (row.status === 'refunding') {
        if (!(await db.refundAccount.findUnique({ where: { order_id: row.order_id } })))
          throw new AppError('conflict', 'the shopper has not given a bank account for this refund yet', {
            reason: 'no_refund_account',
          });
        await db.$transaction(async (tx) => {
          const marked = await tx.refund.updateMany({
            where: { id: row.id, transferred_at: null },
            data: { transferred_at: new Date(), transferred_by: operatorId },
          });
          if (marked.count === 0) return;
          await this.applyNotice(tx, {
            refundId: row.id,
            gatewayRefundId: `manual:${row.id}`,
            amount: row.amount.toFixed(2),
            eventId: `manual-transfer:${row.id}`,
            succeeded: true,
          });
        });
      }
      return { ...(await view(row.id)), channel: row.channel };
    },

    /** Every refund of an order, oldest first. */
    list: (orderId: string) => db.refund.findMany({ where: { order_id: orderId }, orderBy: { created_at: 'asc' } }),
  };
}

export type RefundStore = ReturnType<typeof createRefundStore>;
