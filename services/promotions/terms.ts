/**
 * What an operator may set on a voucher, checked in one place: the admin route's schema refines
 * with these and the store checks them again, so a voucher made by a script obeys them too (and
 * the migration's CHECKs stand behind both). Each problem names its field.
 */
import { isAmount, toSen } from './money';
import { VOUCHER_KINDS, type VoucherKind } from './rules';

/** One voucher's amount off or cap: Rp100 juta. Above that it is a typo, not a promotion. */
export const MAX_VOUCHER_AMOUNT = '100000000.00';
/** One voucher's whole budget: Rp5 milyar (NUMERIC(12,2) holds just under Rp10 milyar). */
export const MAX_BUDGET_AMOUNT = '5000000000.00';
export const MAX_BUDGET_USES = 10_000_000;
export const MAX_PER_SHOPPER = 100;
export const MAX_SCOPE_PRODUCTS = 500;
/** The longest a campaign may run: a year. */
export const MAX_VALIDITY_MS = 366 * 86_400_000;

export interface NewVoucher {
  name: string;
  kind: VoucherKind;
  amount_off?: string | null;
  percent_off?: number | null;
  max_discount?: string | null;
  min_spend?: string;
  scope_product_ids?: string[];
  scope_category?: string | null;
  valid_from: Date;
  valid_until: Date;
  budget_amount?: string | null;
  budget_uses?: number | null;
  per_shopper_limit?: number;
  user_id?: string | null;
  status?: 'active' | 'paused';
}

export interface VoucherChanges {
  name?: string;
  status?: 'active' | 'paused';
  valid_until?: Date;
  budget_amount?: string;
  budget_uses?: number;
}

export interface TermProblem {
  field: string;
  message: string;
}

/** A positive amount with at most two decimals, at most `ceiling`; null when it is one. */
export function amountProblem(value: string, ceiling: string, zeroAllowed = false): string | null {
  if (!isAmount(value)) return 'must be a decimal string with at most two decimals, such as "15000.00"';
  const sen = toSen(value);
  if (sen === 0n && !zeroAllowed) return 'must be more than zero';
  if (sen > toSen(ceiling)) return `must be at most ${ceiling}`;
  return null;
}

const countProblem = (n: number, max: number) =>
  Number.isInteger(n) && n >= 1 && n <= max ? null : `must be a whole number from 1 to ${max}`;

function check(out: TermProblem[], field: string, problem: string | null) {
  if (problem) out.push({ field, message: problem });
}

/** Every problem of a new voucher's terms. */
export function newVoucherProblems(v: NewVoucher): TermProblem[] {
  const out: TermProblem[] = [];
  if (!VOUCHER_KINDS.includes(v.kind)) out.push({ field: 'kind', message: 'must be shipping or discount' });
  const percent = v.percent_off ?? null;
  const amount = v.amount_off ?? null;
  if (v.kind === 'shipping' || (v.kind === 'discount' && percent === null)) {
    if (amount === null) out.push({ field: 'amount_off', message: `a ${v.kind} voucher needs amount_off` });
    else check(out, 'amount_off', amountProblem(amount, MAX_VOUCHER_AMOUNT));
    if (percent !== null) out.push({ field: 'percent_off', message: 'only a discount voucher takes a percentage' });
    if ((v.max_discount ?? null) !== null)
      out.push({ field: 'max_discount', message: 'only a percentage discount takes a cap' });
  } else if (v.kind === 'discount') {
    if (!Number.isInteger(percent) || percent! < 1 || percent! > 100)
      out.push({ field: 'percent_off', message: 'must be a whole number from 1 to 100' });
    if (amount !== null) out.push({ field: 'amount_off', message: 'give amount_off or percent_off, not both' });
    if ((v.max_discount ?? null) === null)
      out.push({ field: 'max_discount', message: 'a percentage discount needs a cap (max_discount)' });
    else check(out, 'max_discount', amountProblem(v.max_discount!, MAX_VOUCHER_AMOUNT));
  }
  if (v.min_spend !== undefined) check(out, 'min_spend', amountProblem(v.min_spend, MAX_BUDGET_AMOUNT, true));
  if ((v.scope_product_ids?.length ?? 0) > 0 && (v.scope_category ?? null) !== null)
    out.push({ field: 'scope_category', message: 'scope by products or by a category, not both' });
  if ((v.scope_product_ids?.length ?? 0) > MAX_SCOPE_PRODUCTS)
    out.push({ field: 'scope_product_ids', message: `at most ${MAX_SCOPE_PRODUCTS} products` });
  out.push(...windowProblems(v.valid_from, v.valid_until));
  const budgetAmount = v.budget_amount ?? null;
  const budgetUses = v.budget_uses ?? null;
  if (budgetAmount === null && budgetUses === null)
    out.push({ field: 'budget_amount', message: 'a voucher needs a budget: budget_amount, budget_uses or both' });
  if (budgetAmount !== null) check(out, 'budget_amount', amountProblem(budgetAmount, MAX_BUDGET_AMOUNT));
  if (budgetUses !== null) check(out, 'budget_uses', countProblem(budgetUses, MAX_BUDGET_USES));
  if (v.per_shopper_limit !== undefined)
    check(out, 'per_shopper_limit', countProblem(v.per_shopper_limit, MAX_PER_SHOPPER));
  return out;
}

export function windowProblems(from: Date, until: Date): TermProblem[] {
  if (Number.isNaN(from.getTime())) return [{ field: 'valid_from', message: 'must be a date-time' }];
  if (Number.isNaN(until.getTime())) return [{ field: 'valid_until', message: 'must be a date-time' }];
  if (until <= from) return [{ field: 'valid_until', message: 'must be after valid_from' }];
  if (until.getTime() - from.getTime() > MAX_VALIDITY_MS)
    return [{ field: 'valid_until', message: 'a voucher runs at most a year' }];
  return [];
}

/** Problems of a change that need nothing but the change itself (the store checks it against the voucher). */
export function changeProblems(c: VoucherChanges): TermProblem[] {
  const out: TermProblem[] = [];
  if (c.budget_amount !== undefined) check(out, 'budget_amount', amountProblem(c.budget_amount, MAX_BUDGET_AMOUNT));
  if (c.budget_uses !== undefined) check(out, 'budget_uses', countProblem(c.budget_uses, MAX_BUDGET_USES));
  if (c.valid_until !== undefined && Number.isNaN(c.valid_until.getTime()))
    out.push({ field: 'valid_until', message: 'must be a date-time' });
  return out;
}
