/**
 * Refunds of a payment, full or partial, each at most once and together never more than was
 * paid. A refund first claims its amount on the payment's running total (`refunded_total`, one
 * conditional UPDATE under the row's lock, with a CHECK behind it), then asks the gateway; two
 * refunds racing cannot both fit, whatever order they commit in. Each refund is a row keyed by its
 * idempotency key, so a retried activity finds its first attempt and asks the gateway again with
 * the same key (the gateway dedupes). A gateway refund goes refunding → refunded | refund_failed;
 * a manual one (refund-channel.ts) awaiting_transfer → refunded, when an operator marks the bank
 * transfer made. Two statuses, not one with a filter on the channel: each says who owes the next
 * step (the gateway its confirmation, which is stuck if late; an operator a transfer, which is
 * their work list), so no reader of `refunding` has to remember to leave manual refunds out, and
 * a gateway notice cannot settle a manual refund (it moves only `refunding` rows).
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { PaymentGateway } from './gateway';
import {
  maskedAccount,
  mayNeedManualTransfer,
  refundChannelOf,
  type RefundAccountInput,
  type RefundChannel,
} from './refund-channel';

type Tx = Prisma.TransactionClient;

/** A refund's statuses: `refunding` waits for the gateway, `awaiting_transfer` for an operator's bank transfer. */
export const REFUND_STATUSES = ['refunding', 'awaiting_transfer', 'refunded', 'refund_failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** A manual refund on an operator's list: the account's last four digits only, never the number. */
export interface ManualRefundItem {
  id: string;
  order_id: string;
  amount: string;
  status: RefundStatus;
  method: string;
  method_detail: string | null;
  created_at: Date;
  transferred_at: Date | null;
  account: { bank_code: string; account_number_last4: string } | null;
}

export interface RefundView {
  id: string;
  order_id: string;
  amount: string;
  status: RefundStatus;
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
          // The one place a refund's first status is chosen: who owes the next step.
          status: channel === 'manual_transfer' ? 'awaiting_transfer' : 'refunding',
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

  /**
   * A refund whose money is back (`from` the status it waited in): refunded once, the payment
   * refunded once all of it is back, and one payment.refunded with the payment's method.
   */
  async function settle(tx: Tx, refundId: string, from: RefundStatus, gatewayRefundId: string, eventId: string) {
    const moved = await tx.refund.updateManyAndReturn({
      where: { id: refundId, status: from },
      data: { status: 'refunded', gateway_refund_id: gatewayRefundId },
      include: { transaction: true },
    });
    if (moved.length === 0) return;
    const row = moved[0]!;
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
        gateway_event_id: eventId,
        reason: row.reason,
        refund_id: row.id,
        refunded_total: txn.refunded_total.toFixed(2),
        method: txn.method,
        method_detail: txn.method_detail,
      },
    });
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
      // A manual transfer awaits an operator (markTransferred); the gateway never hears of it.
      if (row.status !== 'refunding') return view(row.id);
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
      const row = await tx.refund.findUnique({ where: { id: notice.refundId } });
      // A manual refund is no gateway's to settle or fail: such a notice names none of its refunds.
      if (!row || row.channel !== 'gateway' || !row.amount.equals(new Prisma.Decimal(notice.amount))) return false;
      if (!notice.succeeded) {
        await fail(tx, row.id);
        return true;
      }
      await settle(tx, row.id, 'refunding', notice.gatewayRefundId, notice.eventId);
      return true;
    },

    /**
     * The shopper's bank account for the manual refund of their own order (404 for anyone else's):
     * kept here only, given back masked. A second call replaces it while no transfer was made.
     * Taken only where a manual transfer can be owed (refund-channel.ts: a virtual account, cash on
     * delivery, a whole-only wallet, or a manual refund already recorded): a bank account kept for
     * a card or QRIS payment would be personal data held for nothing (409 refund_account_not_needed).
     */
    async giveAccount(orderId: string, userId: string, account: RefundAccountInput) {
      const txn = await db.transaction.findUnique({ where: { order_id: orderId } });
      if (!txn || txn.user_id !== userId) throw new AppError('not_found', 'no payment for this order');
      const manual = await db.refund.findMany({
        where: { order_id: orderId, channel: 'manual_transfer' },
        select: { transferred_at: true },
      });
      if (manual.some((r) => r.transferred_at !== null))
        throw new AppError('conflict', 'the refund was already transferred to the account given', {
          reason: 'already_transferred',
        });
      if (manual.length === 0 && !mayNeedManualTransfer(txn))
        throw new AppError(
          'conflict',
          `this order is paid by ${txn.method}${txn.method_detail ? ` (${txn.method_detail})` : ''}: its refunds go back through the payment itself, no bank account is needed`,
          { reason: 'refund_account_not_needed', method: txn.method, method_detail: txn.method_detail },
        );
      const row = await db.refundAccount.upsert({
        where: { order_id: orderId },
        create: { order_id: orderId, user_id: userId, ...account },
        update: account,
      });
      return maskedAccount(row);
    },

    /**
     * An operator made the manual bank transfer of a refund: awaiting_transfer → refunded, settled
     * as a gateway's notification settles its own (the payment refunded once all is back,
     * payment.refunded). Idempotent; 409 for a gateway refund or while the shopper has given no account.
     */
    async markTransferred(refundId: string, operatorId: string): Promise<RefundView & { channel: string }> {
      const row = await db.refund.findUnique({ where: { id: refundId } });
      if (!row) throw new AppError('not_found', 'no such refund');
      if (row.channel !== 'manual_transfer')
        throw new AppError('conflict', 'this refund goes back through the gateway, not by a manual transfer', {
          reason: 'not_a_manual_refund',
        });
      if (row.status === 'awaiting_transfer') {
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
          await settle(tx, row.id, 'awaiting_transfer', `manual:${row.id}`, `manual-transfer:${row.id}`);
        });
      }
      return { ...(await view(row.id)), channel: row.channel };
    },

    /**
     * Manual refunds in `status` (awaiting_transfer: the operators' work list), oldest first, a page
     * at a time, each with the payment's method and whether the shopper gave an account: its bank
     * and last four digits only (the full number is for the operator making the transfer, at the bank).
     * `before`: only those created before it (the stuck-work report's threshold).
     */
    async listManual(q: { status: RefundStatus; page: number; pageSize: number; before?: Date }) {
      const where = {
        channel: 'manual_transfer',
        status: q.status,
        ...(q.before ? { created_at: { lt: q.before } } : {}),
      };
      const [rows, total] = await Promise.all([
        db.refund.findMany({
          where,
          orderBy: [{ created_at: 'asc' }, { id: 'asc' }],
          skip: (q.page - 1) * q.pageSize,
          take: q.pageSize,
          include: { transaction: { select: { method: true, method_detail: true } } },
        }),
        db.refund.count({ where }),
      ]);
      const accounts = await db.refundAccount.findMany({
        where: { order_id: { in: [...new Set(rows.map((r) => r.order_id))] } },
      });
      const byOrder = new Map(accounts.map((a) => [a.order_id, maskedAccount(a)]));
      const items: ManualRefundItem[] = rows.map((r) => {
        const account = byOrder.get(r.order_id);
        return {
          id: r.id,
          order_id: r.order_id,
          amount: r.amount.toFixed(2),
          status: r.status as RefundStatus,
          method: r.transaction.method,
          method_detail: r.transaction.method_detail,
          created_at: r.created_at,
          transferred_at: r.transferred_at,
          account: account
            ? { bank_code: account.bank_code, account_number_last4: account.account_number_last4 }
            : null,
        };
      });
      return { items, total };
    },

    /** Every refund of an order, oldest first. */
    list: (orderId: string) => db.refund.findMany({ where: { order_id: orderId }, orderBy: { created_at: 'asc' } }),
  };
}

export type RefundStore = ReturnType<typeof createRefundStore>;
