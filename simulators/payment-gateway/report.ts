/**
 * An intent as the Midtrans model reports it (status API and notifications): the simulator's own
 * intent states mapped onto transaction_status, with the status_code each is sent with.
 */
import { STATUS_CODES, type TransactionReport, type TransactionStatus } from '../../contracts/payment-notification';
import type { Intent, Refund } from './ledger';

const toSen = (amount: string) => {
  const [whole, frac = ''] = amount.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
};

export function transactionStatus(intent: Intent): TransactionStatus {
  switch (intent.status) {
    case 'requires_confirmation':
    case 'processing':
      return 'pending';
    case 'succeeded':
      if (toSen(intent.amount_refunded ?? '0') > 0) return 'partial_refund';
      // A card is captured; every other method settles (Midtrans sends capture only for cards).
      return (intent.payment_type ?? 'credit_card') === 'credit_card' ? 'capture' : 'settlement';
    case 'failed':
      return 'deny';
    case 'canceled':
      return 'cancel';
    case 'expired':
      return 'expire';
    case 'refunded':
      return 'refund';
  }
}

/** Midtrans writes gross_amount with two decimals ("150000.00"), whatever the currency. */
const twoDecimals = (amount: string) => {
  const [whole, frac = ''] = amount.split('.');
  return `${whole}.${frac.padEnd(2, '0')}`;
};

export function reportOf(intent: Intent, refunds: Refund[], notice?: Refund): TransactionReport {
  const status = notice ? (intent.status === 'refunded' ? 'refund' : 'partial_refund') : transactionStatus(intent);
  return {
    transaction_id: intent.id,
    order_id: intent.reference,
    gross_amount: twoDecimals(intent.amount),
    currency: intent.currency,
    payment_type: intent.payment_type ?? 'credit_card',
    transaction_status: status,
    status_code: STATUS_CODES[status],
    status_message: `${status} transaction`,
    fraud_status: 'accept',
    transaction_time: new Date(intent.created * 1000).toISOString(),
    ...(intent.failure_reason ? { channel_response_message: intent.failure_reason } : {}),
    refunds: refunds.map((r) => ({
      refund_chargeback_id: r.id,
      refund_amount: twoDecimals(r.amount),
      refund_key: r.reference ?? null,
      created_at: new Date(r.created * 1000).toISOString(),
    })),
    ...(notice
      ? {
          refund_key: notice.reference ?? null,
          refund_amount: twoDecimals(notice.amount),
          refund_chargeback_id: notice.id,
        }
      : {}),
  };
}
