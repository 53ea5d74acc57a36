/**
 * Cash on delivery: nothing is paid before shipping; the courier collects the order's total at the
 * door and remits it to the shop later. The COD payment is a transaction like any other (method
 * `cod`, gateway `cod`: no payment gateway is involved) and moves only here:
 *   pending → success        the courier collected the cash (the delivered scan carries it)
 *   pending → not_collected  the parcel came back (refused at the door) or never left
 * Who may pay this way is decided here too, once, for the checkout's payment step and for
 * `GET /payments/methods`: a ceiling on the total, shoppers who refused parcels before, and where
 * the couriers collect at all (contracts/carrier.ts `codOffered`).
 */
import { codOffered } from '../../contracts/carrier';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { ShippingServiceName } from '../../workflows/checkout-contract';
import { CARRIER_CHOICES } from '../../workflows/shipment-contract';

/** The COD payment's "gateway": the couriers collect, so the row names no payment gateway. */
export const COD_GATEWAY = 'cod';

export type CodLimits = Config['payments']['cod'];

/** Why a shopper may not pay on delivery: a stable code a client can translate. */
export type CodRefusal = 'above_cod_limit' | 'cod_refused_before' | 'cod_not_offered_here';

export const COD_REFUSAL_MESSAGES: Record<CodRefusal, string> = {
  above_cod_limit: 'cash on delivery is only for orders up to the COD limit',
  cod_refused_before: 'cash on delivery is paused for this account after parcels were refused at the door',
  cod_not_offered_here: 'no courier collects cash on delivery at this address for this shipping service',
};

/** The carriers a COD parcel may go with, in the order they are tried, for a service and province. */
export function codCarriers(service: ShippingServiceName, provinceName: string) {
  return CARRIER_CHOICES[service].filter((c) => codOffered(c.carrier, c.service, provinceName));
}

export function createCodPayments(db: Db, limits: CodLimits) {
  /** COD parcels this shopper refused at the door (returned, nothing collected) within the window. */
  async function refusals(userId: string) {
    const since = new Date(Date.now() - limits.refusalWindowDays * 86_400_000);
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM payments.transactions t
      JOIN orders.orders o ON o.id = t.order_id
      WHERE t.user_id = ${userId}::uuid AND t.method = 'cod' AND t.status = 'not_collected'
        AND o.status = 'returned' AND t.updated_at >= ${since}`;
    return Number(row?.n ?? 0);
  }

  async function setStatus(
    orderId: string,
    to: 'success' | 'not_collected',
    extra: Prisma.TransactionUpdateManyMutationInput,
    event?: { type: string; id: string; reason: string | null },
  ) {
    return db.$transaction(async (tx) => {
      const moved = await tx.transaction.updateMany({
        where: { order_id: orderId, method: 'cod', status: 'pending' },
        data: { status: to, ...extra },
      });
      const txn = await tx.transaction.findUnique({ where: { order_id: orderId } });
      if (moved.count === 1 && txn && event) {
        await enqueueEvent(tx, {
          id: stableId(event.id),
          topic: TOPICS.payments,
          type: event.type,
          aggregateId: orderId,
          data: {
            order_id: orderId,
            transaction_id: txn.id,
            amount: txn.amount.toFixed(2),
            currency: txn.currency,
            gateway_event_id: event.id,
            reason: event.reason,
            method: txn.method,
            method_detail: txn.method_detail,
          },
        });
      }
      return txn;
    });
  }

  return {
    limits,
    refusals,

    /** Why this shopper may not pay `total` on delivery to `provinceName` by `service`; undefined when they may. */
    async refusal(input: {
      userId: string;
      total: Prisma.Decimal;
      provinceName?: string;
      service?: ShippingServiceName;
    }): Promise<CodRefusal | undefined> {
      if (input.total.gt(limits.maxTotal)) return 'above_cod_limit';
      if (input.provinceName !== undefined && codCarriers(input.service ?? 'regular', input.provinceName).length === 0)
        return 'cod_not_offered_here';
      if ((await refusals(input.userId)) >= limits.maxRefusals) return 'cod_refused_before';
      return undefined;
    },

    /** The checkout's payment step for COD: refused (a business failure, so the saga undoes) or allowed. */
    async requireAllowed(input: { userId: string; total: Prisma.Decimal; provinceName: string; service: ShippingServiceName }) {
      const reason = await this.refusal(input);
      if (reason)
        throw new AppError('conflict', COD_REFUSAL_MESSAGES[reason], {
          field: 'payment_method',
          reason,
          ...(reason === 'above_cod_limit' ? { max_total: new Prisma.Decimal(limits.maxTotal).toFixed(2) } : {}),
        });
    },

    /**
     * The courier took the cash (the delivered scan of a COD parcel): the payment succeeds once,
     * under the carrier's airway bill. A repeat, or a scan of a payment already settled, changes
     * nothing. An amount other than the order's is kept for reconciliation, never a reason to lose
     * the delivery.
     */
    async recordCollection(orderId: string, amount: string, awb: string) {
      const txn = await setStatus(
        orderId,
        'success',
        { gateway_transaction_id: awb },
        { type: 'payment.succeeded', id: `cod-collected:${orderId}`, reason: null },
      );
      if (txn && !txn.amount.eq(new Prisma.Decimal(amount))) {
        await db.reconciliationIssue.upsert({
          where: { kind_gateway_intent_id: { kind: 'cod_amount_mismatch', gateway: COD_GATEWAY, intent_id: awb } },
          create: {
            kind: 'cod_amount_mismatch',
            gateway: COD_GATEWAY,
            intent_id: awb,
            order_id: orderId,
            details: { expected: txn.amount.toFixed(2), collected: amount },
          },
          update: { last_seen_at: new Date() },
        });
      }
      return txn;
    },

    /** Nothing was collected (the parcel came back, or never left): the payment ends, nothing to refund. */
    markNotCollected: (orderId: string, reason: string) =>
      setStatus(
        orderId,
        'not_collected',
        { refund_reason: reason.slice(0, 255) },
        { type: 'payment.failed', id: `cod-not-collected:${orderId}`, reason: 'not_collected' },
      ),
  };
}

export type CodPayments = ReturnType<typeof createCodPayments>;
