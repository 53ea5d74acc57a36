/**
 * A voucher's standing from its row alone (status, window, budget, who it was issued to), and
 * what its budget still lets a claim take: the one home of the rule, read by the claim store
 * (claims.ts, under the voucher's row lock) and the cart's preview (offers.ts).
 */
import type { Voucher } from '../../generated/prisma/client';
import type { ClaimRefusal } from './claims';
import { fromSen, minSen, toSen } from './money';
import type { VoucherKind, VoucherTerms } from './rules';

type Budgeted = Pick<
  Voucher,
  'user_id' | 'status' | 'valid_from' | 'valid_until' | 'used' | 'budget_uses' | 'spent' | 'budget_amount'
>;

/** The first reason a voucher cannot be claimed now, from its row alone; null when it can. */
export function rowRefusal(v: Budgeted, userId: string, now: Date): ClaimRefusal | null {
  if (v.user_id !== null && v.user_id.toLowerCase() !== userId.toLowerCase()) return 'not_yours';
  if (v.status !== 'active') return 'paused';
  if (now < v.valid_from) return 'not_started';
  if (now >= v.valid_until) return 'expired';
  if (v.budget_uses !== null && v.used >= v.budget_uses) return 'uses_exhausted';
  if (v.budget_amount !== null && v.spent.gte(v.budget_amount)) return 'budget_spent';
  return null;
}

export const termsOf = (v: Voucher): VoucherTerms => ({
  kind: v.kind as VoucherKind,
  amount_off: v.amount_off?.toFixed(2) ?? null,
  percent_off: v.percent_off,
  max_discount: v.max_discount?.toFixed(2) ?? null,
  min_spend: v.min_spend.toFixed(2),
  scope_product_ids: v.scope_product_ids,
  scope_category: v.scope_category,
});

/** What a claim of `amount` is granted now: never more than the budget by amount has left. */
export function grantable(v: Pick<Voucher, 'budget_amount' | 'spent'>, amount: string): string {
  if (v.budget_amount === null) return amount;
  return fromSen(minSen(toSen(amount), toSen(v.budget_amount.minus(v.spent).toFixed(2))));
}
