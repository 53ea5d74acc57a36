/**
 * What a voucher takes off a basket: pure, no I/O, so the claim store, a cart preview and the
 * unit tests compute the same figure. Every amount is in IDR as a decimal string.
 *
 * - Scope: the voucher's products, or its category, or (neither set) every line. The minimum
 *   spend is measured on the eligible lines: a "min Rp100.000 of coffee" voucher is not met by a
 *   basket of batik.
 * - shipping: covers the shipping up to `amount_off`; never more than the shipping itself.
 * - discount: a fixed `amount_off`, or `percent_off` of the eligible lines capped at
 *   `max_discount`; never more than the eligible lines' amount (a voucher never pays the shopper).
 * - A percentage is rounded DOWN to the whole rupiah: the shopper never gets more than the stated
 *   percentage (nor the campaign pay more than its terms say), the rupiah has no coin below Rp1 in
 *   use, and the difference is under one rupiah per order.
 * - Stacking: at most one shipping and one discount voucher per order (`stackProblem`).
 */
import { fromSen, minSen, toSen } from './money';

export const VOUCHER_KINDS = ['shipping', 'discount'] as const;
export type VoucherKind = (typeof VOUCHER_KINDS)[number];

export interface VoucherTerms {
  kind: VoucherKind;
  amount_off: string | null;
  percent_off: number | null;
  max_discount: string | null;
  min_spend: string;
  scope_product_ids: string[];
  scope_category: string | null;
}

export interface BasketLine {
  product_id: string;
  category: string;
  /** The line's total (unit price × quantity). */
  amount: string;
}

export interface Basket {
  shipping: string;
  lines: BasketLine[];
}

/** Why a valid, live voucher takes nothing off this basket. */
export type BasketReason = 'min_spend_not_met' | 'not_applicable';

export type Discount = { amount: string; reason: null } | { amount: '0.00'; reason: BasketReason };

/** The lines the voucher applies to. */
export function eligibleLines(v: VoucherTerms, basket: Basket): BasketLine[] {
  if (v.scope_product_ids.length > 0) {
    const ids = new Set(v.scope_product_ids.map((id) => id.toLowerCase()));
    return basket.lines.filter((l) => ids.has(l.product_id.toLowerCase()));
  }
  if (v.scope_category !== null) return basket.lines.filter((l) => l.category === v.scope_category);
  return basket.lines;
}

export function discountFor(v: VoucherTerms, basket: Basket): Discount {
  const lines = eligibleLines(v, basket);
  if (lines.length === 0) return { amount: '0.00', reason: 'not_applicable' };
  const eligible = lines.reduce((sum, l) => sum + toSen(l.amount), 0n);
  if (eligible < toSen(v.min_spend)) return { amount: '0.00', reason: 'min_spend_not_met' };
  let sen: bigint;
  if (v.kind === 'shipping') {
    sen = minSen(toSen(v.amount_off!), toSen(basket.shipping));
  } else if (v.percent_off !== null) {
    if (!Number.isInteger(v.percent_off) || v.percent_off < 1 || v.percent_off > 100)
      throw new RangeError(`percent_off must be a whole number from 1 to 100, got ${v.percent_off}`);
    const wholeRupiah = (eligible * BigInt(v.percent_off)) / 10_000n; // floor: see the note above
    sen = minSen(wholeRupiah * 100n, toSen(v.max_discount!), eligible);
  } else {
    sen = minSen(toSen(v.amount_off!), eligible);
  }
  // Nothing to take off (shipping already free): claiming it would spend a use for nothing.
  if (sen === 0n) return { amount: '0.00', reason: 'not_applicable' };
  return { amount: fromSen(sen), reason: null };
}

/** Two vouchers of one kind on an order (or the same one twice): the kind, else null. */
export function stackProblem(vouchers: { id: string; kind: VoucherKind }[]): VoucherKind | 'duplicate' | null {
  if (new Set(vouchers.map((v) => v.id)).size < vouchers.length) return 'duplicate';
  for (const kind of VOUCHER_KINDS) if (vouchers.filter((v) => v.kind === kind).length > 1) return kind;
  return null;
}
