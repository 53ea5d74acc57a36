/**
 * What a verified gateway webhook may do to a transaction. A valid signature proves who sent
 * the event, not that it is about this money: the intent, the order, the amount and the currency
 * must all match the transaction we created, or the event is refused. An event type we do not
 * know (a gateway adds notices over time) is recorded and ignored, never read as a failure.
 *
 * The gateway speaks the Midtrans model (contracts/payment-notification.ts): each notification's
 * transaction_status becomes one of the event types below, here and nowhere else.
 */
import {
  notificationId,
  STATUS_CODES,
  TRANSACTION_STATUSES,
  type TransactionReport,
  type TransactionStatus,
} from '../../contracts/payment-notification';
import { Prisma } from '../../generated/prisma/client';

export type PaymentStatus =
  | 'pending'
  | 'processing'
  | 'success'
  | 'failed'
  | 'expired'
  | 'cancelled'
  | 'refunding'
  | 'refunded'
  | 'refund_failed'
  /** Settled, then denied by the gateway (the real-world downgrade): the money never arrived. */
  | 'reversed'
  /** Cash on delivery that was never collected (services/payments/cod.ts): nothing to refund. */
  | 'not_collected';

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
  result: 'succeeded' | 'failed' | 'refunded' | 'reversed';
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

/**
 * A deny that reaches a settled payment (Midtrans: a settlement the acquirer later refuses) is not
 * a declined checkout but a reversal: the payment becomes `reversed`, nothing is refunded (the money
 * never arrived) and the order must not ship (services/payments/reversal.ts). A deny of a payment
 * not yet settled stays the plain decline above.
 */
export const REVERSAL: WebhookTransition = {
  to: 'reversed',
  from: ['success'],
  event: 'payment.reversed',
  result: 'reversed',
};

export type RefusalReason = 'unknown_intent' | 'reference_mismatch' | 'amount_mismatch' | 'currency_mismatch';

/** Notices that a transaction is waiting, or ended by Pasar's own cancel or expiry: recorded, they move nothing. */
const INFORMATIONAL = new Set([
  'payment_intent.pending',
  'payment_intent.challenged',
  'payment_intent.canceled',
  'payment_intent.expired',
  'refund.unmatched_partial',
]);

export type WebhookVerdict =
  | { kind: 'apply'; transition: WebhookTransition }
  | { kind: 'ignored'; reason: 'unknown_type' | 'informational' }
  | { kind: 'refused'; reason: RefusalReason };

interface TransactionFacts {
  order_id: string;
  status?: string;
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
  if (event.type === 'payment_intent.payment_failed' && (txn.status === 'success' || txn.status === 'reversed'))
    return { kind: 'apply', transition: REVERSAL };
  const transition = WEBHOOK_TRANSITIONS[event.type];
  if (!transition) return { kind: 'ignored', reason: INFORMATIONAL.has(event.type) ? 'informational' : 'unknown_type' };
  return { kind: 'apply', transition };
}

const isKnown = (status: string): status is TransactionStatus =>
  (TRANSACTION_STATUSES as readonly string[]).includes(status);

/** The event a transaction_status stands for; a status Pasar does not know keeps its own name (and is ignored). */
function typeOf(n: TransactionReport): string {
  switch (n.transaction_status) {
    case 'pending':
      return 'payment_intent.pending';
    case 'capture':
      // A card held for fraud review is not paid yet: Midtrans sends capture again, accepted or denied.
      return n.fraud_status === 'challenge' ? 'payment_intent.challenged' : 'payment_intent.succeeded';
    case 'settlement':
      return 'payment_intent.succeeded';
    case 'deny':
      return 'payment_intent.payment_failed';
    case 'cancel':
      return 'payment_intent.canceled';
    case 'expire':
      return 'payment_intent.expired';
    case 'refund':
      return 'refund.succeeded';
    case 'partial_refund':
      // Only a refund Pasar asked for (named by its refund_key) can be matched to what it gave back.
      return n.refund_key ? 'refund.succeeded' : 'refund.unmatched_partial';
    default:
      return `transaction.${n.transaction_status}`;
  }
}

/** A verified notification as the event Pasar records and applies (its id: one per transaction and status). */
export function eventFromNotification(n: TransactionReport): GatewayWebhook {
  return {
    id: notificationId(n),
    type: typeOf(n),
    data: {
      intent_id: n.transaction_id,
      reference: n.order_id,
      amount: n.gross_amount,
      currency: n.currency,
      status: n.transaction_status,
      failure_reason: n.transaction_status === 'deny' ? (n.channel_response_message ?? 'denied') : null,
      ...(n.refund_key || n.refund_chargeback_id
        ? { refund_id: n.refund_chargeback_id, refund_amount: n.refund_amount, refund_reference: n.refund_key ?? null }
        : {}),
    },
  };
}

/**
 * Whether a notification may be believed at all: its status_code must be the one its status is
 * sent with (the signature covers the code, not the status), and the gateway's status API, asked
 * now, must still say it (a status may have moved on only forward: a capture may since be
 * settled or refunded, a deny stays a deny); a refund's notice must name a refund the gateway made.
 */
export function notificationCheck(
  n: TransactionReport,
  current?: TransactionReport,
): { ok: true } | { ok: false; reason: string } {
  const status = n.transaction_status;
  if (!isKnown(status)) return { ok: true }; // recorded and ignored: it moves nothing
  if (STATUS_CODES[status] !== n.status_code) return { ok: false, reason: 'status_code_mismatch' };
  if (!current) return { ok: true };
  if (current.transaction_id !== n.transaction_id || !isKnown(current.transaction_status))
    return { ok: false, reason: 'not_confirmed_by_gateway' };
  if (!STILL_TRUE[status].includes(current.transaction_status))
    return { ok: false, reason: 'not_confirmed_by_gateway' };
  if (n.refund_key || n.refund_amount) {
    const made = (current.refunds ?? []).some(
      (r) =>
        r.refund_key === (n.refund_key ?? null) &&
        n.refund_amount !== undefined &&
        new Prisma.Decimal(r.refund_amount).equals(new Prisma.Decimal(n.refund_amount)),
    );
    if (!made) return { ok: false, reason: 'not_confirmed_by_gateway' };
  }
  return { ok: true };
}

const DONE: TransactionStatus[] = ['settlement', 'refund', 'partial_refund'];
const STILL_TRUE: Record<TransactionStatus, TransactionStatus[]> = {
  pending: [...TRANSACTION_STATUSES],
  capture: ['capture', ...DONE],
  settlement: DONE,
  deny: ['deny'],
  cancel: ['cancel'],
  expire: ['expire'],
  refund: ['refund'],
  partial_refund: ['partial_refund', 'refund'],
};

/** Statuses of the status API that are a result Pasar must hear, and the event each stands for. */
export const RESULT_EVENTS: Record<string, string> = {
  capture: 'payment_intent.succeeded',
  settlement: 'payment_intent.succeeded',
  deny: 'payment_intent.payment_failed',
  refund: 'refund.succeeded',
};

/**
 * The gateway's own record of a transaction (the status API), as the event its notification would
 * carry. Its id is stable per transaction and status, so whoever reads the gateway first
 * (reconciliation, a compensation that found the money taken) records it once, and the real
 * notification racing it adds nothing. A refund read this way is the whole payment given back.
 */
export function eventFromGateway(report: TransactionReport, type: string): GatewayWebhook {
  return {
    id: `reconcile:${report.transaction_id}:${report.transaction_status}`,
    type,
    data: {
      intent_id: report.transaction_id,
      reference: report.order_id,
      amount: report.gross_amount,
      currency: report.currency,
      status: report.transaction_status,
      failure_reason: report.transaction_status === 'deny' ? (report.channel_response_message ?? 'denied') : null,
    },
  };
}
