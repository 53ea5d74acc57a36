/**
 * Paid checkouts end to end (cart → POST /checkout → confirm → webhook → paid), 20 at a time,
 * against the bare one-activity pingWorkflow on the same server and worker.
 */
import { randomUUID } from 'node:crypto';
import { checkInvariants, isPaid } from '../lib/invariants';
import { closedLoopRate, percentile, round } from '../lib/load';
import { shoppers, type Shopper } from '../lib/shop';
import { ratio, type BenchContext, type PartResult } from './context';

export const CONCURRENCY = 20;

/** The bare baseline of the checkout and latency parts: one pingWorkflow (one no-op activity), start to result. */
export const ping = (ctx: BenchContext) =>
  ctx.temporal.workflow.execute('pingWorkflow', {
    taskQueue: ctx.config.temporal.taskQueue,
    workflowId: `bench-ping-${randomUUID()}`,
    args: ['bench'],
  });

/** Bare workflow starts-to-results per second, `concurrency` at a time. */
const pingRate = (ctx: BenchContext, seconds: number) => closedLoopRate(() => ping(ctx), CONCURRENCY, seconds);

/** One shopper's paid checkout from the cart; returns ms from cart to paid. */
async function paidCheckout(ctx: BenchContext, s: Shopper, productId: string) {
  const started = performance.now();
  await ctx.shop.addToCart(s, productId);
  const r = await ctx.shop.checkout(s);
  if (r.status !== 202) throw new Error(`checkout refused: ${r.status} ${JSON.stringify(r.body)}`);
  await ctx.shop.pay(s, r.body.order_id);
  const status = await ctx.shop.settled(s, r.body.order_id);
  if (!isPaid(status)) throw new Error(`order ${r.body.order_id} ended ${status}`);
  const elapsed = performance.now() - started;
  // The saga clears the ordered lines just after marking the order paid: the shopper's next
  // add must come after that, or the clear removes the line just added (an empty cart, a 409).
  await ctx.temporal.workflow.getHandle(r.body.workflow_id as string).result();
  return elapsed;
}

export async function checkoutPart(ctx: BenchContext, pool: Shopper[]): Promise<PartResult> {
  const total = ctx.quick ? 8 : 100;
  const since = Math.floor(Date.now() / 1000) - 5;
  // Two products taken in turn: the saga clears a paid order's line from the cart just after
  // marking it paid, so the shopper's next line must be another product's.
  const products = [await ctx.shop.product(ctx.admin, total), await ctx.shop.product(ctx.admin, total)];
  const ping = await pingRate(ctx, ctx.quick ? 2 : 10);

  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    pool.slice(0, CONCURRENCY).map(async (s) => {
      for (let round = 0; next < total; round++) {
        next++;
        latencies.push(await paidCheckout(ctx, s, products[round % 2]!));
      }
    }),
  );
  const rate = total / ((performance.now() - started) / 1000);
  const invariants = await checkInvariants(ctx.db, ctx.gateway, new Map(products.map((p) => [p, total])), since);
  return {
    figures: {
      checkouts: total,
      concurrency: CONCURRENCY,
      paid_per_second: round(rate),
      ping_workflows_per_second: round(ping),
      cart_to_paid_p50_ms: Math.round(percentile(latencies, 50)),
      cart_to_paid_p95_ms: Math.round(percentile(latencies, 95)),
    },
    ratios: [ratio('paid checkouts/s vs pingWorkflow/s', rate, ping, 'per s', '>= 0.3')],
    invariants,
  };
}

/** The shoppers the checkout and latency parts share (registration is the slow part of setup). */
export const checkoutShoppers = (ctx: BenchContext) => shoppers(ctx.shop, ctx.quick ? 4 : CONCURRENCY);
