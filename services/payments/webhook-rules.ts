/**
 * What a verified gateway webhook may do to a transaction. A valid signature proves who sent
 * the event, not that it is about this money: the intent, the order, the amount and the currency
 * must all match the transaction we created, or the event is refused. An event type we do not
 * know (a gateway adds notices over time) is recorded and ignored, never read as a failure.
 */
import { Prisma } from '../../generated/prisma/client';
import type { GatewayIntent } from './gateway';

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

export interface GatewayWebhook {
  id: string;
  type: string;
  data: {
    intent_id: string;
    reference: string;
    amount: string;
    currency: string;
    status: string;
    failure_reason?: string | null;
    refund_id?: string;
    refund_amount?: string;
    /** Our refund's id, given when we asked for it (services/payments/refunds.ts). */
    refund_reference?: string | null;
  };
}

export interface WebhookTransition {
  to: PaymentStatus;
  from: PaymentStatus[];
  /** The domain event published when the transition happens. */
  event: string;
  /** What the checkout saga hears. */
  result: 'succeeded' | 'failed' | 'refunded';
}

/** The only event types that move money state; each moves a transaction forward only. */
export const WEBHOOK_TRANSITIONS: Record<string, WebhookTransition> = {
  'payment_intent.succeeded': {
    to: 'success',
    from: ['pending', 'processing', 'expired', 'cancelled'],
    event: 'payment.succeeded',
    result: 'succeeded',
  },
  'payment_intent.payment_failed': {
    to: 'failed',
    from: ['pending', 'processing'],
    event: 'payment.failed',
    result: 'failed',
  },
  'refund.succeeded': { to: 'refunded', from: ['success', 'refunding'], event: 'payment.refunded', result: 'refunded' },
};

export type RefusalReason = 'unknown_intent' | 'reference_mismatch' | 'amount_mismatch' | 'currency_mismatch';

export type WebhookVerdict =
  | { kind: 'apply'; transition: WebhookTransition }
  | { kind: 'ignored'; reason: 'unknown_type' }
  | { kind: 'refused'; reason: RefusalReason };

interface TransactionFacts {
  order_id: string;
  amount: Prisma.Decimal;
  currency: string;
}

/** Decides, without side effects, whether an event may touch the transaction it names. */
export function judgeWebhook(event: GatewayWebhook, txn: TransactionFacts | null): WebhookVerdict {
  if (!txn) return { kind: 'refused', reason: 'unknown_intent' };
  if (txn.order_id !== event.data.reference) return { kind: 'refused', reason: 'reference_mismatch' };
  if (event.data.currency.toUpperCase() !== txn.currency.toUpperCase())
    return { kind: 'refused', reason: 'currency_mismatch' };
  // Every event names the intent's amount, which is the amount paid, to the sen; a partial refund's
  // own amount travels in refund_amount and is matched against our refund row.
  if (!new Prisma.Decimal(event.data.amount).equals(txn.amount)) return { kind: 'refused', reason: 'amount_mismatch' };
  const transition = WEBHOOK_TRANSITIONS[event.type];
  if (!transition) return { kind: 'ignored', reason: 'unknown_type' };
  return { kind: 'apply', transition };
}

/** Gateway statuses that are a result Pasar must hear, and the event each stands for. */
export const RESULT_EVENTS: Record<string, string> = {
  succeeded: 'payment_intent.succeeded',
  failed: 'payment_intent.payment_failed',
  refunded: 'refund.succeeded',
};

/**
 * The gateway's own record of an intent, as the event its webhook would carry. Its id is stable
 * per intent and result, so whoever reads the gateway first (reconciliation, a compensation that
 * found the money taken) records it once, and the real webhook racing it adds nothing.
 */
export function eventFromGateway(intent: GatewayIntent, type: string): GatewayWebhook {
  return {
    id: `reconcile:${intent.id}:${intent.status}`,
    type,
    data: {
      intent_id: intent.id,
      reference: intent.reference,
      amount: intent.amount,
      currency: intent.currency,
      status: intent.status,
      failure_reason: intent.failure_reason ?? null,
    },
  };
}
