/**
 * A checkout mix as Indonesia pays (issue 21): N orders against the shop as `npm start` runs it,
 * split across card, a BCA virtual account, QRIS, GoPay and OVO, each paid the way a shopper
 * would (the card through POST /payments/confirm; the VA by the bank transfer the gateway
 * simulator stands in for, POST /_sim/va/{va}/pay; the QR code scanned, /_sim/qris/{id}/pay;
 * the e-wallet payment approved in the app, /_sim/ewallet/{id}/approve). The methods run one
 * after another, 10 orders at a time, so the shop's CPU (/proc) over each method's batch is that
 * method's alone. Per method: checkout→paid p50/p95 (from POST /checkout to the order seen paid),
 * how many were paid, and the shop's CPU per order. Then the invariants over every order: paid
 * exactly once, stock deducted exactly, no reservation left.
 *
 * The shop's CPU over a batch also holds the tail of the batch before (the consumers shipping its
 * paid orders, the carrier link moving their parcels): read the later methods' figures as an upper
 * bound. Cash on delivery comes last: its checkout ends confirmed (no payment to wait for) and its
 * money comes at the door, so its figures are checkout→confirmed and checkout→cash collected (the
 * whole parcel journey at the stack's carrier speed), and its CPU covers that whole journey (booking,
 * every tracking scan, the collection): not comparable with the other methods' checkout-only CPU.
 */
import { randomUUID } from 'node:crypto';
import { cpuBetween, cpuSnapshot } from '../lib/cpu';
import { checkInvariants, isPaid } from '../lib/invariants';
import { percentile, runPool } from '../lib/load';
import { shoppers, type Shopper } from '../lib/shop';
import type { BenchContext, PartResult } from './context';
import { notTheFullShop } from './order-cost';

const CONCURRENCY = 10;

/** The part of POST /checkout's answer a shopper pays from. */
interface CheckoutAnswer {
  order_id: string;
  status: string;
  payment?: { instructions: { va_number?: string; qr_id?: string } };
}

interface MixMethod {
  name: string;
  /** Cash on delivery: the checkout ends confirmed, and the order counts once the cash is collected. */
  onDelivery?: boolean;
  body?: (i: number) => Record<string, string>;
  /** What the shopper does to pay, given the checkout's answer. */
  pay: (ctx: BenchContext, s: Shopper, orderId: string, answer: CheckoutAnswer) => Promise<void>;
}

async function atGateway(ctx: BenchContext, path: string) {
  const r = await fetch(`${ctx.config.payments.gatewayUrl}${path}`, { method: 'POST' });
  if (!r.ok) throw new Error(`the gateway simulator refused ${path}: ${r.status} ${await r.text()}`);
}

/** The e-wallet transaction the shopper's app approves, as GET /payments/{orderId} names it. */
async function approveInApp(ctx: BenchContext, s: Shopper, orderId: string) {
  const payment = await ctx.shop.call('GET', `/payments/${orderId}`, undefined, s.token);
  await atGateway(ctx, `/_sim/ewallet/${payment.body.gateway_transaction_id}/approve`);
}

const METHODS: MixMethod[] = [
  { name: 'card', pay: async (ctx, s, orderId) => void (await ctx.shop.pay(s, orderId)) },
  {
    name: 'bank_transfer',
    body: () => ({ type: 'bank_transfer', bank: 'bca' }),
    pay: (ctx, _s, _o, answer) => atGateway(ctx, `/_sim/va/${answer.payment?.instructions.va_number}/pay`),
  },
  {
    name: 'qris',
    body: () => ({ type: 'qris' }),
    pay: (ctx, _s, _o, answer) => atGateway(ctx, `/_sim/qris/${answer.payment?.instructions.qr_id}/pay`),
  },
  {
    name: 'ewallet_gopay',
    body: () => ({ type: 'ewallet', provider: 'gopay' }),
    pay: (ctx, s, orderId) => approveInApp(ctx, s, orderId),
  },
  {
    name: 'ewallet_ovo',
    body: (i) => ({ type: 'ewallet', provider: 'ovo', phone: `0812${String(10_000_000 + i).slice(-8)}` }),
    pay: (ctx, s, orderId) => approveInApp(ctx, s, orderId),
  },
  // Nothing to do before the door: the courier collects when it delivers.
  { name: 'cod', onDelivery: true, body: () => ({ type: 'cod' }), pay: async () => undefined },
];

/** Polls the order's payment until the courier's collection makes it a success (or the wait ends). */
async function collected(ctx: BenchContext, s: Shopper, orderId: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const payment = await ctx.shop.call('GET', `/payments/${orderId}`, undefined, s.token);
    if (payment.body?.status === 'success') return true;
    if (payment.body?.status === 'not_collected') return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** POST /checkout with the method, the same key until the saga answers awaiting_payment (or refuses). */
async function checkout(ctx: BenchContext, s: Shopper, paymentMethod: Record<string, string> | undefined) {
  const key = randomUUID();
  for (;;) {
    const r = await ctx.shop.call(
      'POST',
      '/checkout',
      { address_id: s.address, ...(paymentMethod ? { payment_method: paymentMethod } : {}) },
      s.token,
      { 'idempotency-key': key },
    );
    const cod = r.status === 200 && r.body.status === 'confirmed';
    if (r.status !== 202 && !cod) throw new Error(`checkout refused: ${r.status} ${JSON.stringify(r.body)}`);
    if (r.body.status === 'awaiting_payment' || cod) return r.body as CheckoutAnswer;
  }
}

export async function checkoutMixPart(ctx: BenchContext, opts: { orders?: number } = {}): Promise<PartResult> {
  const skipped = await notTheFullShop(ctx);
  if (skipped) return { figures: {}, ratios: [], skipped };
  const n = opts.orders ?? (ctx.quick ? 5 : 40);
  const since = Math.floor(Date.now() / 1000) - 5;
  const productId = await ctx.shop.product(ctx.admin, n, `Bench checkout mix ${randomUUID().slice(0, 6)}`);
  const crowd = await shoppers(ctx.shop, n);
  await runPool(crowd, CONCURRENCY, async (s) => void (await ctx.shop.addToCart(s, productId)));

  const figures: PartResult['figures'] = { orders: n, concurrency: CONCURRENCY };
  let paidTotal = 0;
  for (const [m, method] of METHODS.entries()) {
    // Orders dealt round-robin: with 40, 8 per method.
    const mine = crowd.map((s, i) => ({ s, i })).filter(({ i }) => i % METHODS.length === m);
    const times: number[] = [];
    const confirmedTimes: number[] = [];
    let paid = 0;
    const start = cpuSnapshot();
    await runPool(mine, CONCURRENCY, async ({ s, i }) => {
      const began = performance.now();
      const answer = await checkout(ctx, s, method.body?.(i));
      if (method.onDelivery) {
        confirmedTimes.push(performance.now() - began);
        if (!(await collected(ctx, s, answer.order_id))) return;
      } else {
        await method.pay(ctx, s, answer.order_id, answer);
        const status = await ctx.shop.settled(s, answer.order_id);
        if (!isPaid(status)) return;
      }
      paid++;
      times.push(performance.now() - began);
    });
    const used = cpuBetween(start, cpuSnapshot());
    paidTotal += paid;
    figures[`${method.name}_orders`] = mine.length;
    figures[`${method.name}_paid`] = paid;
    figures[`${method.name}_paid_p50_ms`] = Math.round(percentile(times, 50));
    figures[`${method.name}_paid_p95_ms`] = Math.round(percentile(times, 95));
    figures[`${method.name}_shop_cpu_ms_per_order`] = mine.length ? Math.round((used.shop * 1000) / mine.length) : 0;
    if (method.onDelivery) {
      // Its "paid" figures are checkout -> cash collected at the door; confirmed is the checkout alone.
      figures[`${method.name}_confirmed_p50_ms`] = Math.round(percentile(confirmedTimes, 50));
      figures[`${method.name}_confirmed_p95_ms`] = Math.round(percentile(confirmedTimes, 95));
    }
  }
  figures.paid = paidTotal;
  const invariants = await checkInvariants(ctx.db, ctx.gateway, new Map([[productId, n]]), since);
  // Exactly once: every order of the mix holds one successful transaction and was paid.
  if (paidTotal !== n) invariants.problems.push(`${n - paidTotal} of ${n} orders not paid`);
  return { figures, ratios: [], invariants };
}
