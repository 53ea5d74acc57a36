/**
 * The payment service: one transaction row per order over the seed's `transactions` table,
 * moved through its statuses by our calls and by the gateway's webhooks. Every webhook is
 * recorded by its gateway event id first, so a redelivery, however late or repeated, changes
 * nothing twice; status moves only forward, so an out-of-order event is ignored.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import type { PaymentGateway } from './gateway';

export type PaymentStatus =
  | 'pending'
  | 'processing'
  | 'success'
  | 'failed'
  | 'expired'
  | 'cancelled'
  | 'refunding'
  | 'refunded'
  | 'refund_failed';

/** Which status each webhook type moves a transaction to, and from which statuses it may. */
const WEBHOOK_TRANSITIONS: Record<string, { to: PaymentStatus; from: PaymentStatus[]; event: string }> = {
  'payment_intent.succeeded': {
    to: 'success',
    from: ['pending', 'processing', 'expired', 'cancelled'],
    event: 'payment.succeeded',
  },
  'payment_intent.payment_failed': { to: 'failed', from: ['pending', 'processing'], event: 'payment.failed' },
  'refund.succeeded': { to: 'refunded', from: ['success', 'refunding'], event: 'payment.refunded' },
};

export interface GatewayWebhook {
  id: string;
  type: string;
  data: { intent_id: string; reference: string; amount: string; status: string; failure_reason?: string | null };
}

export interface WebhookOutcome {
  duplicate: boolean;
  /** The order whose checkout must hear about it, unless an earlier delivery already told it. */
  orderId?: string;
  result?: { status: 'succeeded' | 'failed' | 'refunded'; event_id: string; reason?: string };
}

export function createPaymentStore(db: Db, gateway: PaymentGateway, webhookUrl: string) {
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

  return {
    get: byOrder,

    /** Creates the gateway intent and its transaction once per order; a retry returns the first. */
    async createIntent(input: { orderId: string; userId: string; amount: string; idempotencyKey: string }) {
      const existing = await byOrder(input.orderId);
      if (existing) return existing;
      const intent = await gateway.createIntent({
        reference: input.orderId,
        amount: input.amount,
        currency: 'IDR',
        notificationUrl: webhookUrl,
        idempotencyKey: input.idempotencyKey,
      });
      try {
        return await db.transaction.create({
          data: {
            order_id: input.orderId,
            user_id: input.userId,
            gateway: gateway.name,
            gateway_transaction_id: intent.id,
            amount: new Prisma.Decimal(input.amount),
            status: 'pending',
          },
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') return (await byOrder(input.orderId))!;
        throw err;
      }
    },

    /** Forwards the shopper's card to the gateway; the result comes back by webhook. */
    async confirm(orderId: string, userId: string, cardNumber: string) {
      const txn = await byOrder(orderId);
      if (!txn || txn.user_id !== userId) throw new AppError('not_found', 'no payment for this order');
      if (txn.status !== 'pending') throw new AppError('conflict', `payment is ${txn.status}`, { status: txn.status });
      await gateway.confirm(txn.gateway_transaction_id!, cardNumber);
      await setStatus(orderId, 'processing', ['pending']);
      return (await byOrder(orderId))!;
    },

    /** Records a verified webhook and applies it once. */
    async applyWebhook(event: GatewayWebhook): Promise<WebhookOutcome> {
      return db.$transaction(async (tx) => {
        const inserted = await tx.$queryRaw<{ applied_at: Date | null }[]>`
          INSERT INTO payments.webhook_events (event_id, gateway, type, order_id, payload)
          VALUES (${event.id}, ${gateway.name}, ${event.type}, ${event.data.reference}::uuid, ${JSON.stringify(event)}::jsonb)
          ON CONFLICT (gateway, event_id) DO NOTHING RETURNING applied_at`;
        const txn = await tx.transaction.findFirst({
          where: { gateway: gateway.name, gateway_transaction_id: event.data.intent_id },
        });
        if (!txn) throw new AppError('not_found', 'no transaction for this intent');
        const transition = WEBHOOK_TRANSITIONS[event.type];
        const resultStatus =
          event.type === 'payment_intent.succeeded'
            ? 'succeeded'
            : event.type === 'refund.succeeded'
              ? 'refunded'
              : 'failed';
        const result = {
          status: resultStatus,
          event_id: event.id,
          reason: event.data.failure_reason ?? undefined,
        } as const;
        if (inserted.length === 0) {
          // Seen before: nothing to write; tell the checkout again only if the earlier delivery never reached it.
          const seen = await tx.webhookEvent.findUniqueOrThrow({
            where: { gateway_event_id: { gateway: gateway.name, event_id: event.id } },
          });
          return { duplicate: true, ...(seen.applied_at ? {} : { orderId: txn.order_id, result }) };
        }
        if (transition) {
          const moved = await tx.transaction.updateMany({
            where: { id: txn.id, status: { in: transition.from } },
            data: { status: transition.to },
          });
          if (moved.count === 1) {
            await enqueueEvent(tx, {
              id: stableId(`${gateway.name}:${event.id}`),
              topic: TOPICS.payments,
              type: transition.event,
              aggregateId: txn.order_id,
              data: {
                order_id: txn.order_id,
                transaction_id: txn.id,
                amount: txn.amount.toFixed(2),
                gateway_event_id: event.id,
                reason: result.reason ?? null,
              },
            });
          }
        }
        return { duplicate: false, orderId: txn.order_id, result };
      });
    },

    /** Marks a webhook as delivered to its checkout, so later duplicates stay silent. */
    markApplied: (eventId: string) =>
      db.webhookEvent.updateMany({
        where: { gateway: gateway.name, event_id: eventId },
        data: { applied_at: new Date() },
      }),

    /** Compensation: cancels an unpaid intent; a payment that succeeded meanwhile is refunded instead. */
    async cancel(orderId: string, reason: 'expired' | 'cancelled' | 'failed', idempotencyKey: string) {
      const txn = await byOrder(orderId);
      if (!txn) return undefined;
      if (txn.status === 'pending' || txn.status === 'processing') {
        try {
          await gateway.cancel(txn.gateway_transaction_id!);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          // The gateway says it already succeeded: money was taken, so give it back.
          return this.refund(orderId, `checkout ${reason} after payment`, idempotencyKey);
        }
        await setStatus(orderId, reason === 'failed' ? 'failed' : reason, ['pending', 'processing']);
      } else if (txn.status === 'success') {
        return this.refund(orderId, `checkout ${reason} after payment`, idempotencyKey);
      }
      return byOrder(orderId);
    },

    /** Refunds a successful payment (idempotent); the refund webhook completes it. */
    async refund(orderId: string, reason: string, idempotencyKey: string) {
      const txn = await byOrder(orderId);
      if (!txn) throw new AppError('not_found', 'no payment for this order');
      if (txn.status === 'refunding' || txn.status === 'refunded') return txn;
      if (txn.status !== 'success') throw new AppError('conflict', `cannot refund a payment that is ${txn.status}`);
      await gateway.refund(txn.gateway_transaction_id!, txn.amount.toFixed(2), idempotencyKey);
      await setStatus(orderId, 'refunding', ['success'], { refund_reason: reason.slice(0, 255) });
      return byOrder(orderId);
    },
  };
}

export type PaymentStore = ReturnType<typeof createPaymentStore>;
