/**
 * POST /checkout → awaiting_payment latency at a fixed arrival rate (open loop: arrivals do not
 * wait for earlier answers), against pingWorkflow latency at the same rate. The orders are
 * cancelled afterwards, so their stock goes back.
 */
import { checkInvariants } from '../lib/invariants';
import { openLoopLatencies, percentile, round } from '../lib/load';
import type { Shopper } from '../lib/shop';
import { ping } from './checkout';
import { ratio, type BenchContext, type PartResult } from './context';

/** Each shopper may hold this many unpaid checkouts (CHECKOUT_MAX_UNPAID_ORDERS' default). */
const UNPAID_PER_SHOPPER = 3;

/** `ratePerSecond`: arrivals per second (default 4, quick 2); keep it below the checkout rate to read latency, not a queue. */
export async function latencyPart(ctx: BenchContext, pool: Shopper[], ratePerSecond?: number): Promise<PartResult> {
  const rate = ratePerSecond ?? (ctx.quick ? 2 : 4);
  const seconds = ctx.quick ? 2 : 15;
  const arrivals = Math.min(Math.round(rate * seconds), pool.length * UNPAID_PER_SHOPPER);
  const since = Math.floor(Date.now() / 1000) - 5;
  const productId = await ctx.shop.product(ctx.admin, arrivals);
  for (const s of pool) {
    await ctx.shop.call('DELETE', '/cart', undefined, s.token); // whatever an earlier part left
    await ctx.shop.addToCart(s, productId);
  }

  const pings = await openLoopLatencies(() => ping(ctx), rate, arrivals / rate);
  const accepted: { s: Shopper; orderId: string }[] = [];
  let refused = 0;
  const latencies = await openLoopLatencies(
    async (i) => {
      const s = pool[i % pool.length]!;
      const r = await ctx.shop.checkout(s);
      if (r.status === 202) accepted.push({ s, orderId: r.body.order_id });
      else refused++;
    },
    rate,
    arrivals / rate,
  );
  await Promise.all(accepted.map(({ s, orderId }) => ctx.shop.cancel(s, orderId)));
  for (const s of pool) await ctx.shop.call('DELETE', `/cart/items/${productId}`, undefined, s.token);
  const invariants = await checkInvariants(ctx.db, ctx.gateway, new Map([[productId, arrivals]]), since);

  const [p50, p99, pingP50, pingP99] = [
    percentile(latencies, 50),
    percentile(latencies, 99),
    percentile(pings, 50),
    percentile(pings, 99),
  ];
  return {
    figures: {
      arrivals_per_second: rate,
      arrivals,
      refused,
      checkout_to_awaiting_p50_ms: Math.round(p50),
      checkout_to_awaiting_p99_ms: Math.round(p99),
      ping_p50_ms: Math.round(pingP50),
      ping_p99_ms: Math.round(pingP99),
    },
    ratios: [
      ratio('POST /checkout p50 vs pingWorkflow p50 (lower is better)', p50, pingP50, 'ms'),
      ratio('POST /checkout p99 vs pingWorkflow p99 (lower is better)', p99, pingP99, 'ms'),
    ].map((r) => ({ ...r, measured: round(r.measured, 0), baseline: round(r.baseline, 0) })),
    invariants,
  };
}
