/**
 * The payment service: one transaction row per order over the seed's `transactions` table,
 * moved through its statuses by our calls and by the gateway's webhooks. Every webhook is
 * recorded by its gateway event id first, so a redelivery, however late or repeated, changes
 * nothing twice; status moves only forward, so an out-of-order event is ignored.
 */
import { randomUUID } from 'node:crypto';
import type { GatewayPaymentMethod } from '../../contracts/payment-methods';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { businessMetrics } from '../../platform/metrics/business';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { COD_GATEWAY, createCodPayments, type CodLimits } from './cod';
import type { PaymentGateway } from './gateway';
import { createMethodChoices } from './methods';
import { createRefundStore } from './refunds';
import {
  eventFromGateway,
  judgeWebhook,
  RESULT_EVENTS,
  type GatewayWebhook,
  type PaymentStatus,
} from './webhook-rules';

export type { GatewayWebhook, PaymentStatus } from './webhook-rules';

export interface WebhookOutcome {
  duplicate: boolean;
  /** applied: it moved (or confirmed) the payment; ignored: unknown type; refused: did not match. */
  outcome: 'applied' | 'ignored' | 'refused';
  reason?: string;
  /** The order whose checkout must hear about it, unless an earlier delivery already told it. */
  orderId?: string;
  result?: { status: 'succeeded' | 'failed' | 'refunded' | 'reversed'; event_id: string; reason?: string };
}

/** payment.started, in the transaction that opened the intent: the dashboard's "started" per method. */
const paymentStarted = (
  tx: Prisma.TransactionClient,
  txn: {
    id: string;
    order_id: string;
    gateway_transaction_id: string | null;
    amount: Prisma.Decimal;
    currency: string;
    method: string;
    method_detail: string | null;
  },
) =>
  enqueueEvent(tx, {
    id: stableId(`payment-started:${txn.gateway_transaction_id ?? txn.id}`),
    topic: TOPICS.payments,
    type: 'payment.started',
    aggregateId: txn.order_id,
    data: {
      order_id: txn.order_id,
      transaction_id: txn.id,
      amount: txn.amount.toFixed(2),
      currency: txn.currency,
      method: txn.method,
      method_detail: txn.method_detail,
    },
  });

export function createPaymentStore(db: Db, gateway: PaymentGateway, webhookUrl: string, codLimits: CodLimits) {
  const refunds = createRefundStore(db, gateway);
  const methods = createMethodChoices(db);
  const cod = createCodPayments(db, codLimits);
  const byOrder = (orderId: string) => db.transaction.findUnique({ where: { order_id: orderId } });

  async function setStatus(
    orderId: string,
    to: PaymentStatus,
    from: PaymentStatus[],
    extra: Prisma.TransactionUpdateManyMutationInput = {},
  ) {
    return db.transaction.updateMany({
      where: { order_id: orderId, status: { in: from } },
      data: { status: to, ...extra },
    });
  }

  /** A COD order's payment: no gateway intent, the courier collects the total at the door. */
  async function openCod(input: { orderId: string; userId: string; amount: string }) {
    try {
      return await db.$transaction(async (tx) => {
        const txn = await tx.transaction.create({
          data: {
            order_id: input.orderId,
            user_id: input.userId,
            gateway: COD_GATEWAY,
            amount: new Prisma.Decimal(input.amount),
            status: 'pending',
            method: 'cod',
            instructions: { cash_on_delivery: { amount: new Prisma.Decimal(input.amount).toFixed(2) } },
          },
        });
        await paymentStarted(tx, txn);
        return txn;
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return (await byOrder(input.orderId))!;
      throw err;
    }
  }

  return {
    get: byOrder,
    /** Full and partial refunds that together never exceed what was paid. */
    refunds,
    /** The shopper's method for each order (and the personal data it needs, kept here). */
    methods,
    /** Cash on delivery: who may, and the courier's collection (services/payments/cod.ts). */
    cod,

    /**
     * Payments still waiting for the gateway to confirm their refund, untouched since `before` (stuck
     * work). One whose money goes back only by manual transfers awaiting an operator waits for no
     * gateway: it is on the operators' list (refunds.listManual), not here.
     */
    refundsUnconfirmedSince: (before: Date, limit: number) =>
      db.transaction.findMany({
        where: {
          status: 'refunding',
          updated_at: { lt: before },
          OR: [{ refunds: { some: { status: 'refunding' } } }, { refunds: { none: { status: 'awaiting_transfer' } } }],
        },
        select: { order_id: true, gateway_transaction_id: true, updated_at: true },
        take: limit,
      }),

    /**
     * Payments still waiting whose own deadline (a VA's, a QR code's) passed before `before`, oldest
     * first: neither their saga nor the gateway's expiry notice ended them (stuck work). A partial
     * index on the waiting payments' deadline answers it.
     */
    waitingPastExpiry: (before: Date, limit: number) =>
      db.transaction.findMany({
        where: { status: { in: ['pending', 'processing'] }, expires_at: { lt: before } },
        select: {
          order_id: true,
          method: true,
          method_detail: true,
          expires_at: true,
          gateway_transaction_id: true,
          status: true,
        },
        orderBy: { expires_at: 'asc' },
        take: limit,
      }),

    /** Creates the gateway intent and its transaction once per order; a retry returns the first. */
    async createIntent(input: { orderId: string; userId: string; amount: string; idempotencyKey: string }) {
      const existing = await byOrder(input.orderId);
      if (existing) return existing;
      const { method, expirySeconds } = await methods.of(input.orderId);
      if (method.type === 'cod') return openCod(input);
      const intent = await gateway.createIntent({
        reference: input.orderId,
        amount: input.amount,
        currency: 'IDR',
        notificationUrl: webhookUrl,
        idempotencyKey: input.idempotencyKey,
        method,
        expirySeconds,
      });
      const { expires_at, ...instructions } = intent.instructions ?? {};
      try {
        return await db.$transaction(async (tx) => {
          const txn = await tx.transaction.create({
            data: {
              order_id: input.orderId,
              user_id: input.userId,
              gateway: gateway.name,
              gateway_transaction_id: intent.id,
              amount: new Prisma.Decimal(input.amount),
              status: 'pending',
              method: method.type,
              method_detail:
                method.type === 'bank_transfer' ? method.bank : method.type === 'ewallet' ? method.provider : null,
              ...(intent.instructions ? { instructions } : {}),
              expires_at: expires_at ? new Date(expires_at) : null,
            },
          });
          await paymentStarted(tx, txn);
          return txn;
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') return (await byOrder(input.orderId))!;
        throw err;
      }
    },

    /**
     * Switches an unpaid order to another method: the old intent is cancelled at the gateway, a new
     * one made on the same order (its reservation and saga untouched), and the transaction moved to
     * it only if it is still the unpaid one. `expirySeconds` never reaches past the order's own
     * deadline (the caller caps it): switching cannot hold stock longer. Money taken for the old
     * intent in a race comes back as a stray payment (refundStray).
     */
    async switchMethod(orderId: string, userId: string, method: GatewayPaymentMethod, expirySeconds: number) {
      const txn = await byOrder(orderId);
      if (!txn || txn.user_id !== userId) throw new AppError('not_found', 'no payment for this order');
      // A COD order was confirmed at checkout and ships at once: there is no wait to pay into.
      if (txn.method === 'cod')
        throw new AppError('conflict', 'this order is paid in cash on delivery: its method cannot change', {
          reason: 'cash_on_delivery',
        });
      if (txn.status !== 'pending')
        throw new AppError('conflict', `payment is ${txn.status}: its method can no longer change`, {
          reason: 'payment_not_pending',
          status: txn.status,
        });
      try {
        await gateway.cancel(txn.gateway_transaction_id!);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code !== 'not_found')
          throw new AppError('conflict', 'this payment has already been made', { reason: 'already_paid' });
      }
      const intent = await gateway.createIntent({
        reference: orderId,
        amount: txn.amount.toFixed(2),
        currency: txn.currency,
        notificationUrl: webhookUrl,
        idempotencyKey: `switch:${orderId}:${randomUUID()}`,
        method,
        expirySeconds,
      });
      const { expires_at, ...instructions } = intent.instructions ?? {};
      await methods.replace(orderId, userId, method, expirySeconds);
      const moved = await db.$transaction(async (tx) => {
        const m = await tx.transaction.updateMany({
          where: { order_id: orderId, gateway_transaction_id: txn.gateway_transaction_id, status: 'pending' },
          data: {
            gateway_transaction_id: intent.id,
            method: method.type,
            method_detail:
              method.type === 'bank_transfer' ? method.bank : method.type === 'ewallet' ? method.provider : null,
            instructions: intent.instructions ? instructions : Prisma.DbNull,
            expires_at: expires_at ? new Date(expires_at) : null,
          },
        });
        if (m.count === 1)
          await paymentStarted(tx, await tx.transaction.findUniqueOrThrow({ where: { order_id: orderId } }));
        return m;
      });
      if (moved.count === 0) {
        // The order moved on meanwhile (expired, cancelled): the new intent must not stay payable.
        await gateway.cancel(intent.id).catch(() => undefined);
        throw new AppError('conflict', 'the payment changed meanwhile: its method can no longer change', {
          reason: 'payment_not_pending',
        });
      }
      return (await byOrder(orderId))!;
    },

    /** Forwards the shopper's card to the gateway; the result comes back by webhook. */
    async confirm(orderId: string, userId: string, cardNumber: string) {
      const txn = await byOrder(orderId);
      if (!txn || txn.user_id !== userId) throw new AppError('not_found', 'no payment for this order');
      if (txn.method !== 'card')
        throw new AppError('conflict', `this order is paid by ${txn.method}, not by card`, { method: txn.method });
      if (txn.status !== 'pending') throw new AppError('conflict', `payment is ${txn.status}`, { status: txn.status });
      await gateway.confirm(txn.gateway_transaction_id!, cardNumber);
      await setStatus(orderId, 'processing', ['pending']);
      return (await byOrder(orderId))!;
    },

    /**
     * Records a verified webhook and applies it once, if it matches the transaction it names
     * (see webhook-rules.ts); a refused or ignored event is recorded with why, and changes nothing.
     */
    async applyWebhook(event: GatewayWebhook): Promise<WebhookOutcome> {
      return db.$transaction(async (tx) => {
        const txn = await tx.transaction.findFirst({
          where: { gateway: gateway.name, gateway_transaction_id: event.data.intent_id },
        });
        const verdict = judgeWebhook(event, txn);
        const outcome = verdict.kind === 'apply' ? 'applied' : verdict.kind;
        const reason = verdict.kind === 'apply' ? null : verdict.reason;
        const inserted = await tx.$queryRaw<{ applied_at: Date | null }[]>`
          INSERT INTO payments.webhook_events (event_id, gateway, type, order_id, payload, outcome, outcome_reason)
          VALUES (${event.id}, ${gateway.name}, ${event.type}, ${txn?.order_id ?? event.data.reference}::uuid,
                  ${JSON.stringify(event)}::jsonb, ${outcome}, ${reason})
          ON CONFLICT (gateway, event_id) DO NOTHING RETURNING applied_at`;
        if (verdict.kind !== 'apply') {
          return { duplicate: inserted.length === 0, outcome: verdict.kind, reason: verdict.reason };
        }
        if (event.data.refund_reference && event.type.startsWith('refund.')) {
          // One refund of several (services/payments/refunds.ts): it settles its own row only.
          if (inserted.length === 0) return { duplicate: true, outcome: 'applied' };
          const known = await refunds.applyNotice(tx, {
            refundId: event.data.refund_reference,
            gatewayRefundId: event.data.refund_id ?? '',
            amount: event.data.refund_amount ?? '',
            eventId: event.id,
            succeeded: event.type === 'refund.succeeded',
          });
          if (known) return { duplicate: false, outcome: 'applied' };
          await tx.webhookEvent.updateMany({
            where: { gateway: gateway.name, event_id: event.id },
            data: { outcome: 'refused', outcome_reason: 'refund_mismatch' },
          });
          return { duplicate: false, outcome: 'refused', reason: 'refund_mismatch' };
        }
        const { transition } = verdict;
        const paid = txn!; // judgeWebhook applies nothing without a transaction
        const result = {
          status: transition.result,
          event_id: event.id,
          reason: event.data.failure_reason ?? undefined,
        };
        if (inserted.length === 0) {
          // Seen before: nothing to write; tell the checkout again only if the earlier delivery never reached it.
          const seen = await tx.webhookEvent.findUniqueOrThrow({
            where: { gateway_event_id: { gateway: gateway.name, event_id: event.id } },
          });
          if (seen.outcome !== 'applied')
            return { duplicate: true, outcome: 'refused', reason: seen.outcome_reason ?? undefined };
          return {
            duplicate: true,
            outcome: 'applied',
            ...(seen.applied_at ? {} : { orderId: paid.order_id, result }),
          };
        }
        const moved = await tx.transaction.updateMany({
          where: { id: paid.id, status: { in: transition.from } },
          data: { status: transition.to },
        });
        if (moved.count === 1) {
          await enqueueEvent(tx, {
            id: stableId(`${gateway.name}:${event.id}`),
            topic: TOPICS.payments,
            type: transition.event,
            aggregateId: paid.order_id,
            data: {
              order_id: paid.order_id,
              transaction_id: paid.id,
              amount: paid.amount.toFixed(2),
              currency: paid.currency,
              gateway_event_id: event.id,
              reason: result.reason ?? null,
              method: paid.method,
              method_detail: paid.method_detail,
            },
          });
        }
        return { duplicate: false, outcome: 'applied', orderId: paid.order_id, result };
      });
    },

    /** Marks a webhook as delivered to its checkout, so later duplicates stay silent. */
    markApplied: (eventId: string) =>
      db.webhookEvent.updateMany({
        where: { gateway: gateway.name, event_id: eventId },
        data: { applied_at: new Date() },
      }),

    /**
     * Compensation: cancels an unpaid intent. A gateway that refuses because the money was taken
     * (captured, its webhook still on the way) is asked for the intent: its success is recorded as
     * reconciliation would record it, and the money goes back now, by the refund path, once,
     * whenever the late webhook arrives.
     */
    async cancel(orderId: string, reason: 'expired' | 'cancelled' | 'failed', idempotencyKey: string) {
      const txn = await byOrder(orderId);
      if (!txn) return undefined;
      const refundReason = `checkout ${reason} after payment`;
      // Nothing was taken from a COD shopper before delivery: the payment just ends.
      if (txn.method === 'cod') {
        await setStatus(orderId, reason === 'failed' ? 'failed' : reason, ['pending']);
        return byOrder(orderId);
      }
      if (txn.status === 'pending' || txn.status === 'processing') {
        try {
          await gateway.cancel(txn.gateway_transaction_id!);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          // The gateway no longer knows the intent (a sandbox reset): there is nothing to cancel.
          if (err.code !== 'not_found') {
            await this.takeGatewaysWord(txn.gateway_transaction_id!);
            return this.refund(orderId, refundReason, idempotencyKey);
          }
        }
        await setStatus(orderId, reason === 'failed' ? 'failed' : reason, ['pending', 'processing']);
      } else if (txn.status === 'success') {
        return this.refund(orderId, refundReason, idempotencyKey);
      }
      return byOrder(orderId);
    },

    /** Records the result the gateway's status API holds for a transaction, through the webhook's own rules. */
    async takeGatewaysWord(transactionId: string) {
      const report = await gateway.status(transactionId);
      const type = RESULT_EVENTS[report.transaction_status];
      // Still undecided at the gateway: the step retries until it has a result to record.
      if (!type)
        throw new Error(`transaction ${transactionId} is ${report.transaction_status} at the gateway: no result yet`);
      return this.applyWebhook(eventFromGateway(report, type));
    },

    /** The gateway's status API for a transaction (a notification is believed only once it agrees). */
    gatewayStatus: (transactionId: string) => gateway.status(transactionId),

    /**
     * Money the gateway took for one of our orders under a transaction that is not the order's
     * payment (a QR code paid twice): given back at once, whole, once (the gateway dedupes the key),
     * and recorded for operators. False when the event names no order of ours or is its payment.
     */
    async isStray(event: GatewayWebhook): Promise<boolean> {
      const txn = await byOrder(event.data.reference);
      return !!txn && txn.gateway_transaction_id !== event.data.intent_id;
    },

    async refundStray(event: GatewayWebhook): Promise<boolean> {
      const txn = await byOrder(event.data.reference);
      if (!txn || txn.gateway_transaction_id === event.data.intent_id) return false;
      const refund = await gateway.refund(event.data.intent_id, event.data.amount, `stray:${event.data.intent_id}`);
      const details = { amount: event.data.amount, currency: event.data.currency, gateway_refund_id: refund.id };
      await db.reconciliationIssue.upsert({
        where: {
          kind_gateway_intent_id: {
            kind: 'stray_payment_refunded',
            gateway: gateway.name,
            intent_id: event.data.intent_id,
          },
        },
        create: {
          kind: 'stray_payment_refunded',
          gateway: gateway.name,
          intent_id: event.data.intent_id,
          order_id: txn.order_id,
          details,
        },
        update: { last_seen_at: new Date() },
      });
      return true;
    },

    /**
     * Gives back everything still held of the order's payment, as one refund of the refund store
     * (claimed on the running total, so it never exceeds what was paid; idempotent by key). A
     * payment already on its way back, or back, is answered as it stands.
     */
    async refund(orderId: string, reason: string, idempotencyKey: string) {
      const txn = await byOrder(orderId);
      if (!txn) throw new AppError('not_found', 'no payment for this order');
      // A retry finds its own refund (and asks the gateway again with the same key).
      const earlier = await db.refund.findUnique({ where: { idempotency_key: idempotencyKey } });
      const rest = txn.amount.sub(txn.refunded_total);
      // Settled then denied: the gateway took the money back itself, there is nothing to give.
      if (txn.status === 'reversed') return txn;
      // Cash on delivery never collected (refused at the door, withdrawn, lost): nothing to give back.
      if (txn.method === 'cod' && (txn.status === 'pending' || txn.status === 'not_collected'))
        return cod.markNotCollected(orderId, reason);
      if (!earlier && (txn.status === 'refunding' || txn.status === 'refunded' || rest.isZero())) return txn;
      if (!earlier && txn.status !== 'success')
        throw new AppError('conflict', `cannot refund a payment that is ${txn.status}`);
      await refunds.refund(orderId, (earlier?.amount ?? rest).toFixed(2), reason, idempotencyKey);
      await db.transaction.updateMany({
        where: { order_id: orderId, refund_reason: null },
        data: { refund_reason: reason.slice(0, 255) },
      });
      if (!earlier) businessMetrics.refundRequested();
      return byOrder(orderId);
    },
  };
}

export type PaymentStore = ReturnType<typeof createPaymentStore>;
