/**
 * The flash sale: N shoppers check out the last U units of one product at the same moment, the
 * winners pay. How long until every checkout had its answer, until every winner was paid, and
 * exactly U paid with the stock at 0/0.
 */
import { checkInvariants, isPaid } from '../lib/invariants';
import { percentile, round } from '../lib/load';
import { shoppers } from '../lib/shop';
import type { BenchContext, PartResult } from './context';

export async function flashSalePart(
  ctx: BenchContext,
  opts: { shoppers?: number; units?: number } = {},
): Promise<PartResult> {
  const n = opts.shoppers ?? (ctx.quick ? 40 : 1000);
  const units = opts.units ?? (ctx.quick ? 4 : 100);
  const since = Math.floor(Date.now() / 1000) - 5;
  const productId = await ctx.shop.product(ctx.admin, units, 'Flash sale: Kopi Luwak 100 g');
  const crowd = await shoppers(ctx.shop, n);
  for (let i = 0; i < crowd.length; i += 50)
    await Promise.all(crowd.slice(i, i + 50).map((s) => ctx.shop.addToCart(s, productId)));

  const t0 = performance.now();
  const latencies: number[] = [];
  const replies = await Promise.all(
    crowd.map(async (s) => {
      const started = performance.now();
      const r = await ctx.shop.checkout(s);
      latencies.push(performance.now() - started);
      return { r, s };
    }),
  );
  const settledMs = performance.now() - t0;
  const winners = replies.filter(({ r }) => r.status === 202);
  const refused = replies.filter(({ r }) => r.status === 409 && r.body.error?.code === 'insufficient_stock').length;
  // The gate's refusal names no order; the saga's names the order it undid.
  const refusedEarly = replies.filter(({ r }) => r.status === 409 && !r.body.error?.details?.order_id).length;
  const refusedLatencies = replies
    .map(({ r }, i) => (r.status === 409 ? latencies[i]! : undefined))
    .filter((x): x is number => x !== undefined);
  await Promise.all(winners.map(({ r, s }) => ctx.shop.pay(s, r.body.order_id)));
  const statuses = await Promise.all(winners.map(({ r, s }) => ctx.shop.settled(s, r.body.order_id)));
  const paidMs = performance.now() - t0;
  const paid = statuses.filter(isPaid).length;

  const invariants = await checkInvariants(ctx.db, ctx.gateway, new Map([[productId, units]]), since);
  if (paid !== units) invariants.problems.push(`expected exactly ${units} paid, got ${paid}`);
  if (refused !== n - units) invariants.problems.push(`expected ${n - units} refused, got ${refused}`);
  invariants.no_oversell &&= paid <= units;
  return {
    figures: {
      shoppers: n,
      units,
      settled_s: round(settledMs / 1000),
      all_paid_s: round(paidMs / 1000),
      checkout_p50_ms: Math.round(percentile(latencies, 50)),
      checkout_p95_ms: Math.round(percentile(latencies, 95)),
      refused_p50_ms: Math.round(percentile(refusedLatencies, 50)),
      paid,
      refused,
      refused_before_any_saga: refusedEarly,
      goal_settled_s: 10,
    },
    ratios: [],
    invariants,
  };
}
