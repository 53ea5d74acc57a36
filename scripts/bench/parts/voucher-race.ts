/**
 * The voucher race (issue 22, item 4), at the claim store: N claims at once, each a shopper of its
 * own with an order of its own, for one voucher with U uses, straight through
 * services/promotions/claims.ts against the stack's Postgres (a store-level race: no HTTP, no
 * checkout saga, which the claim is one step of). Then the budget by amount raced to its last
 * rupiah. How long until every claim had its answer, how many won (exactly U), what the budget has
 * left (nothing), and how quickly the losers heard why; claimed never above the budget.
 */
import { randomUUID } from 'node:crypto';
import { percentile, round } from '../lib/load';
import type { Invariants } from '../lib/invariants';
import type { BenchContext, PartResult } from './context';

const HOUR = 3_600_000;

export async function voucherRacePart(
  ctx: BenchContext,
  opts: { claims?: number; uses?: number } = {},
): Promise<PartResult> {
  const { claims, vouchers } = ctx.services.promotions;
  const n = opts.claims ?? (ctx.quick ? 60 : 1000);
  const uses = opts.uses ?? (ctx.quick ? 6 : 100);
  const basket = {
    shipping: '20000.00',
    lines: [{ product_id: randomUUID(), category: 'bench', amount: '150000.00' }],
  };
  const create = (budget: { budget_uses?: number; budget_amount?: string }, amountOff: string) =>
    vouchers.create(
      {
        name: 'Bench: voucher race',
        kind: 'discount',
        amount_off: amountOff,
        valid_from: new Date(Date.now() - HOUR),
        valid_until: new Date(Date.now() + HOUR),
        ...budget,
      },
      null,
    );

  /** N claims at once; each outcome with when it was answered. */
  async function race(code: string) {
    const t0 = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: n }, async () => {
        let outcome: string;
        try {
          await claims.claim({
            orderId: randomUUID(),
            userId: randomUUID(),
            identity: { phone: null, address: null },
            codes: [code],
            basket,
          });
          outcome = 'claimed';
        } catch (err) {
          outcome = (err as { details?: { reason?: string } }).details?.reason ?? `error: ${(err as Error).message}`;
        }
        return { outcome, ms: performance.now() - t0 };
      }),
    );
    const settledMs = performance.now() - t0;
    const won = outcomes.filter((o) => o.outcome === 'claimed');
    const lost = outcomes.filter((o) => o.outcome !== 'claimed');
    const lastWin = Math.max(0, ...won.map((o) => o.ms));
    const tally = outcomes.reduce<Record<string, number>>(
      (t, o) => ({ ...t, [o.outcome]: (t[o.outcome] ?? 0) + 1 }),
      {},
    );
    return { settledMs, won: won.length, lost, lastWin, tally };
  }

  const problems: string[] = [];

  // By uses: Rp10.000 off, U uses.
  const byUses = await create({ budget_uses: uses }, '10000.00');
  const u = await race(byUses.code);
  const afterUses = await vouchers.get(byUses.id);
  if (u.won !== uses) problems.push(`by uses: expected exactly ${uses} claimed, got ${u.won}`);
  if (afterUses.budget.used > uses) problems.push(`by uses: ${afterUses.budget.used} used of a budget of ${uses}`);
  if (afterUses.budget.used !== u.won)
    problems.push(`by uses: the voucher says ${afterUses.budget.used} used, ${u.won} claims won`);
  if ((u.tally.uses_exhausted ?? 0) !== n - uses)
    problems.push(`by uses: expected ${n - uses} told uses_exhausted, got ${JSON.stringify(u.tally)}`);

  // By amount: Rp30.000 a claim against a budget that is not a multiple of it, so the last claim
  // gets what is left and the campaign is spent to the rupiah.
  const budget = uses * 10_000 + 5_000; // ⌊budget / Rp30.000⌋ whole claims and one of what is left
  const whole = Math.floor(budget / 30_000);
  const rest = budget - whole * 30_000;
  const expectedWins = whole + (rest > 0 ? 1 : 0);
  const byAmount = await create({ budget_amount: `${budget}.00` }, '30000.00');
  const a = await race(byAmount.code);
  const afterAmount = await vouchers.get(byAmount.id);
  if (a.won !== expectedWins) problems.push(`by amount: expected ${expectedWins} claims, got ${a.won}`);
  if (afterAmount.budget.amount_left !== '0.00')
    problems.push(`by amount: ${afterAmount.budget.amount_left} left, expected 0.00`);
  if (Number(afterAmount.budget.spent) > budget)
    problems.push(`by amount: spent ${afterAmount.budget.spent} of ${budget}`);
  if ((a.tally.budget_spent ?? 0) !== n - expectedWins)
    problems.push(`by amount: expected ${n - expectedWins} told budget_spent, got ${JSON.stringify(a.tally)}`);
  const overBudget =
    afterUses.budget.used > uses ||
    Number(afterAmount.budget.spent) > budget ||
    afterAmount.budget.amount_left?.startsWith('-');

  const invariants: Invariants = {
    // A voucher's budget is its stock: claimed never above it.
    no_oversell: !overBudget,
    // No money is charged here; each claim is its own order, and a claim is idempotent by (voucher, order).
    no_double_charge: true,
    no_reservation_left: true,
    problems,
  };
  return {
    figures: {
      level: 'store (claims.ts against Postgres; no HTTP, no saga)',
      claims: n,
      uses,
      settled_s: round(u.settledMs / 1000),
      last_use_claimed_s: round(u.lastWin / 1000),
      claimed: u.won,
      uses_left: afterUses.budget.uses_left ?? -1,
      losers: u.lost.length,
      loser_answered_p50_ms: Math.round(
        percentile(
          u.lost.map((l) => l.ms),
          50,
        ),
      ),
      loser_answered_max_ms: Math.round(Math.max(0, ...u.lost.map((l) => l.ms))),
      amount_budget: `${budget}.00`,
      amount_settled_s: round(a.settledMs / 1000),
      amount_claims_won: a.won,
      amount_spent: afterAmount.budget.spent,
      amount_left: afterAmount.budget.amount_left ?? '',
      amount_losers: a.lost.length,
    },
    ratios: [],
    invariants,
  };
}
