/**
 * The operators' side of vouchers: create (with a fresh unguessable code), change (pause/resume,
 * extend, raise the budget; never below what is already spent or used) and inspect (budget left,
 * uses, claims). Terms are checked by terms.ts, the one home of those rules.
 */
import { Prisma, type Voucher } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { generateCode } from './codes';
import {
  changeProblems,
  MAX_VALIDITY_MS,
  newVoucherProblems,
  windowProblems,
  type NewVoucher,
  type TermProblem,
  type VoucherChanges,
} from './terms';

const RECENT_CLAIMS = 20;
const CODE_ATTEMPTS = 5;

const invalid = (problems: TermProblem[]) =>
  new AppError(
    'validation_failed',
    'invalid voucher',
    problems.map((p) => ({ ...p, in: 'body' })),
  );

const dec = (s: string | null | undefined) => (s === null || s === undefined ? null : new Prisma.Decimal(s));
const money = (d: Prisma.Decimal | null) => d?.toFixed(2) ?? null;

export interface VoucherView {
  id: string;
  code: string;
  name: string;
  kind: string;
  amount_off: string | null;
  percent_off: number | null;
  max_discount: string | null;
  min_spend: string;
  scope: { product_ids: string[]; category: string | null };
  valid_from: string;
  valid_until: string;
  per_shopper_limit: number;
  user_id: string | null;
  status: string;
  budget: {
    amount: string | null;
    uses: number | null;
    spent: string;
    used: number;
    amount_left: string | null;
    uses_left: number | null;
  };
  claims: {
    claimed: number;
    released: number;
    returned: number;
    recent: { order_id: string; user_id: string; amount: string; status: string; created_at: string }[];
  };
  created_at: string;
  updated_at: string;
}

export function createVoucherAdmin(db: Db) {
  async function view(v: Voucher): Promise<VoucherView> {
    const [counts, recent] = await Promise.all([
      db.voucherClaim.groupBy({ by: ['status'], where: { voucher_id: v.id }, _count: true }),
      db.voucherClaim.findMany({ where: { voucher_id: v.id }, orderBy: { created_at: 'desc' }, take: RECENT_CLAIMS }),
    ]);
    const count = (status: string) => counts.find((c) => c.status === status)?._count ?? 0;
    return {
      id: v.id,
      code: v.code,
      name: v.name,
      kind: v.kind,
      amount_off: money(v.amount_off),
      percent_off: v.percent_off,
      max_discount: money(v.max_discount),
      min_spend: v.min_spend.toFixed(2),
      scope: { product_ids: v.scope_product_ids, category: v.scope_category },
      valid_from: v.valid_from.toISOString(),
      valid_until: v.valid_until.toISOString(),
      per_shopper_limit: v.per_shopper_limit,
      user_id: v.user_id,
      status: v.status,
      budget: {
        amount: money(v.budget_amount),
        uses: v.budget_uses,
        spent: v.spent.toFixed(2),
        used: v.used,
        amount_left: v.budget_amount ? v.budget_amount.minus(v.spent).toFixed(2) : null,
        uses_left: v.budget_uses !== null ? v.budget_uses - v.used : null,
      },
      claims: {
        claimed: count('claimed'),
        released: count('released'),
        returned: count('returned'),
        recent: recent.map((c) => ({
          order_id: c.order_id,
          user_id: c.user_id,
          amount: c.amount.toFixed(2),
          status: c.status,
          created_at: c.created_at.toISOString(),
        })),
      },
      created_at: v.created_at.toISOString(),
      updated_at: v.updated_at.toISOString(),
    };
  }

  return {
    async create(input: NewVoucher, operatorId: string | null): Promise<VoucherView> {
      const problems = newVoucherProblems(input);
      if (problems.length > 0) throw invalid(problems);
      for (let attempt = 1; ; attempt++) {
        try {
          const row = await db.voucher.create({
            data: {
              code: generateCode(),
              name: input.name,
              kind: input.kind,
              amount_off: dec(input.amount_off),
              percent_off: input.percent_off ?? null,
              max_discount: dec(input.max_discount),
              min_spend: dec(input.min_spend ?? '0')!,
              scope_product_ids: input.scope_product_ids ?? [],
              scope_category: input.scope_category ?? null,
              valid_from: input.valid_from,
              valid_until: input.valid_until,
              budget_amount: dec(input.budget_amount),
              budget_uses: input.budget_uses ?? null,
              per_shopper_limit: input.per_shopper_limit ?? 1,
              user_id: input.user_id ?? null,
              status: input.status ?? 'active',
              created_by: operatorId,
            },
          });
          return view(row);
        } catch (err) {
          // A fresh code colliding with a stored one (about 1 in 10^12 per code): draw another.
          const collided = err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
          if (!collided || attempt >= CODE_ATTEMPTS) throw err;
        }
      }
    },

    /**
     * Changes a voucher in one conditional UPDATE: a budget below what is already spent or used,
     * or a validity ending before it starts, changes nothing and is refused naming the field.
     */
    async update(id: string, changes: VoucherChanges): Promise<VoucherView> {
      const problems = changeProblems(changes);
      if (problems.length > 0) throw invalid(problems);
      const budgetAmount = dec(changes.budget_amount);
      const done = await db.voucher.updateManyAndReturn({
        where: {
          id,
          ...(budgetAmount ? { spent: { lte: budgetAmount } } : {}),
          ...(changes.budget_uses !== undefined ? { used: { lte: changes.budget_uses } } : {}),
          ...(changes.valid_until
            ? {
                valid_from: { lt: changes.valid_until, gte: new Date(changes.valid_until.getTime() - MAX_VALIDITY_MS) },
              }
            : {}),
        },
        data: {
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.status !== undefined ? { status: changes.status } : {}),
          ...(changes.valid_until !== undefined ? { valid_until: changes.valid_until } : {}),
          ...(budgetAmount ? { budget_amount: budgetAmount } : {}),
          ...(changes.budget_uses !== undefined ? { budget_uses: changes.budget_uses } : {}),
        },
      });
      if (done.length === 1) return view(done[0]!);
      const current = await db.voucher.findUnique({ where: { id } });
      if (!current) throw new AppError('not_found', 'no such voucher');
      if (budgetAmount && current.spent.gt(budgetAmount))
        throw new AppError('conflict', 'the budget cannot go below what is already spent', {
          field: 'budget_amount',
          spent: current.spent.toFixed(2),
        });
      if (changes.budget_uses !== undefined && current.used > changes.budget_uses)
        throw new AppError('conflict', 'the budget cannot go below the uses already claimed', {
          field: 'budget_uses',
          used: current.used,
        });
      if (changes.valid_until) {
        const window = windowProblems(current.valid_from, changes.valid_until);
        if (window.length > 0) throw invalid(window);
      }
      throw new AppError('conflict', 'the voucher changed meanwhile; try again');
    },

    async get(id: string): Promise<VoucherView> {
      const row = await db.voucher.findUnique({ where: { id } });
      if (!row) throw new AppError('not_found', 'no such voucher');
      return view(row);
    },
  };
}

export type VoucherAdmin = ReturnType<typeof createVoucherAdmin>;
