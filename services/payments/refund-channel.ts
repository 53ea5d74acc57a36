/**
 * How a payment's money goes back, by its method (issue 21, item 5): card, QRIS and e-wallets
 * through the gateway, in full or in parts; a virtual account, and cash on delivery once collected,
 * by a manual bank transfer to an account the shopper gives, which an operator makes and marks
 * done (neither has a card or wallet to return the money to; Midtrans refunds no VA). Some e-wallet issuers take back only the whole
 * payment (ShopeePay in the simulator): a part of such a payment goes back by a manual transfer too,
 * so a complaint's partial refund (decided inside a workflow, which cannot take a 409 for an answer)
 * still reaches the shopper, and the gateway is never asked for what it would refuse; the whole
 * payment still goes back through the gateway.
 */

/** E-wallet providers whose refunds must be the whole payment (the gateway refuses less). */
export const WHOLE_REFUND_ONLY = new Set(['shopeepay']);

export type RefundChannel = 'gateway' | 'manual_transfer';

/**
 * Methods whose money only ever goes back by a manual transfer: a virtual account, and cash on
 * delivery once collected (the courier handed the cash to the carrier, not to a card or wallet).
 */
const MANUAL_TRANSFER_METHODS = new Set(['bank_transfer', 'cod']);

const isWholeOnlyWallet = (payment: { method: string; method_detail: string | null }) =>
  payment.method === 'ewallet' && WHOLE_REFUND_ONLY.has(payment.method_detail ?? '');

/** The way a refund of `amount` of this payment goes back. */
export function refundChannelOf(
  payment: { method: string; method_detail: string | null; amount: { equals(v: unknown): boolean } },
  amount: unknown,
): RefundChannel {
  if (MANUAL_TRANSFER_METHODS.has(payment.method)) return 'manual_transfer';
  return isWholeOnlyWallet(payment) && !payment.amount.equals(amount) ? 'manual_transfer' : 'gateway';
}

/**
 * Whether some refund of this payment may go back by a manual transfer (so the shopper's bank
 * account may be asked for): its method always does, or it is a whole-only wallet (a part of it
 * does). A card, QRIS or other e-wallet payment never does: no account is kept for it.
 */
export const mayNeedManualTransfer = (payment: { method: string; method_detail: string | null }) =>
  MANUAL_TRANSFER_METHODS.has(payment.method) || isWholeOnlyWallet(payment);

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
