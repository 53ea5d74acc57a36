/**
 * How a payment's money goes back, by its method (issue 21, item 5): card, QRIS and e-wallets
 * through the gateway, in full or in parts, except the e-wallets whose issuer takes back only the
 * whole payment (ShopeePay in the simulator, as some issuers do). A partial refund of such a payment
 * is refused here, before anything is claimed on the payment's running total, with a 409 naming the
 * method: refusing keeps the books exact and tells the caller at once, where asking the gateway
 * would only be refused later; the whole amount still goes back through the gateway.
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
