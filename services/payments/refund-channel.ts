/**
 * How a payment's money goes back, by its method (issue 21, item 5): card, QRIS and e-wallets
 * through the gateway, in full or in parts; a virtual account by a manual bank transfer to an
 * account the shopper gives, which an operator makes and marks done (a VA has no card or wallet
 * to return the money to; Midtrans refunds none). Some e-wallet issuers take back only the whole
 * payment (ShopeePay in the simulator): a partial refund of such a payment is refused here, before
 * anything is claimed on the payment's running total, with a 409 naming the method. Refusing keeps
 * the books exact and tells the caller at once, where asking the gateway would only be refused
 * later; the whole amount still goes back through the gateway.
 */
import { AppError } from '../../platform/errors';

/** E-wallet providers whose refunds must be the whole payment (the gateway refuses less). */
export const WHOLE_REFUND_ONLY = new Set(['shopeepay']);

export function assertRefundable(
  payment: { method: string; method_detail: string | null; amount: { equals(v: unknown): boolean } },
  amount: unknown,
) {
  const wholeOnly = payment.method === 'ewallet' && WHOLE_REFUND_ONLY.has(payment.method_detail ?? '');
  if (wholeOnly && !payment.amount.equals(amount))
    throw new AppError('conflict', `${payment.method_detail} refunds only the whole payment, not a part of it`, {
      reason: 'partial_refund_not_supported',
      method: payment.method,
      method_detail: payment.method_detail,
    });
}

export type RefundChannel = 'gateway' | 'manual_transfer';

/** The way a payment's refunds go back. */
export const refundChannelOf = (payment: { method: string }): RefundChannel =>
  payment.method === 'bank_transfer' ? 'manual_transfer' : 'gateway';

/** Banks a manual refund can be sent to (the shopper's own account; codes as the VA banks and more). */
export const REFUND_BANKS = ['bca', 'bni', 'bri', 'mandiri', 'permata', 'cimb', 'btn', 'bsi', 'danamon'] as const;

export interface RefundAccountInput {
  bank_code: string;
  account_number: string;
  holder_name: string;
}

/** An account as it is shown back: the number's last four digits only (it is not needed in full). */
export const maskedAccount = (a: RefundAccountInput & { order_id: string }) => ({
  order_id: a.order_id,
  bank_code: a.bank_code,
  account_number_last4: a.account_number.slice(-4),
  holder_name: a.holder_name,
});
