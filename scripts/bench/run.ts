/**
 * `npm run bench -- [--quick] [--base http://127.0.0.1:3000] [--out file.json] [--only checkout,catalog]
 * [--orders 40] [--rate 4] [--shoppers 1000 --units 100] [--claims 1000 --uses 100] [--shipments 200 --step-ms 100]`: against the running shop
 * (`npm start`) and its stack, every part in parts/names.ts, each figure as a ratio to a bare baseline
 * measured in the same run (the machine is noisy: only such ratios
 * compare across runs), with the invariants (no oversell, no double charge, no reservation left)
 * checked after each part that moves stock or money. Writes JSON (bench-results/<time>.json);
 * exits 1 if an invariant broke or a part failed. `--quick` is a smoke run small enough for CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps } from '../../platform/deps';
import { createServices } from '../../services';
import { createSimulatorGateway } from '../../services/payments/gateway';
import { benchLogger } from './lib/kafka';
import { createShop } from './lib/shop';
import { catalogPart } from './parts/catalog';
import { checkoutPart, checkoutShoppers } from './parts/checkout';
import { checkoutMixPart } from './parts/checkout-mix';
import { analyticsPart } from './parts/analytics';
import { carrierLinkPart } from './parts/carrier-link';
import { consumersPart } from './parts/consumers';
import type { BenchContext, PartResult } from './parts/context';
import { flashSalePart } from './parts/flash-sale';
import { latencyPart } from './parts/latency';
import { PARTS, type PartName } from './parts/names';
import { orderCostPart } from './parts/order-cost';
import { scaleOutPart } from './parts/scale-out';
import { notificationsPart } from './parts/notifications';
import { recommendationsPart } from './parts/recommendations';
import { searchPart } from './parts/search';
import { searchQualityPart } from './parts/search-quality';
import { searchIndexingPart } from './parts/search-indexing';
import { searchReindexPart } from './parts/search-reindex';
import { shipmentsPart } from './parts/shipments';
import { voucherRacePart } from './parts/voucher-race';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const config = getConfig();
const quick = args.includes('--quick');
const base = opt('--base') ?? `http://${config.api.host}:${config.api.port}`;
const only = opt('--only')?.split(',');
const num = (name: string) => Number(opt(name) ?? NaN) || undefined;
const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p));
if (unknown?.length) {
  console.error(`no such part: ${unknown.join(', ')} (the parts: ${PARTS.join(', ')})`);
  process.exit(2);
}

function print(name: string, r: PartResult) {
  if (r.skipped) return console.log(`\n[${name}] skipped: ${r.skipped}`);
  console.log(
    `\n[${name}] ${Object.entries(r.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  for (const x of r.ratios)
    console.log(`  ${x.name}: ${x.value} (${x.measured} / ${x.baseline} ${x.unit})${x.goal ? `  goal ${x.goal}` : ''}`);
  if (r.invariants)
    console.log(
      `  invariants: ${r.invariants.problems.length === 0 ? 'held' : `BROKEN: ${r.invariants.problems.join('; ')}`}`,
    );
}

async function main() {
  const deps = createDeps(config);
  const shop = createShop(base);
  const gateway = createSimulatorGateway(
    config.payments.gatewayUrl,
    config.payments.gatewayApiKey,
    config.payments.gatewayName,
  );
  const results: Record<string, PartResult | { error: string }> = {};
  let failed = false;
  try {
    // Only the parts that act as the admin log in: logins are rate limited per address and account
    // (10 in 15 minutes), and everyone benching on this machine shares both.
    const adminParts: PartName[] = [
      'order_cost',
      'checkout_mix',
      'checkout',
      'latency',
      'search_indexing',
      'flash_sale',
      'scale_out',
    ];
    const admin =
      only && !only.some((p) => (adminParts as string[]).includes(p))
        ? ''
        : await shop.adminToken(config.auth.admin.email, config.auth.admin.password);
    const ctx: BenchContext = {
      base,
      quick,
      config,
      shop,
      admin,
      db: deps.db,
      temporal: deps.temporal.client,
      gateway,
      deps,
      services: createServices(deps, benchLogger),
    };
    console.log(`pasar bench${quick ? ' --quick' : ''} against ${base}, task queue ${config.temporal.taskQueue}`);
    const pool = only && !only.some((p) => p === 'checkout' || p === 'latency') ? [] : await checkoutShoppers(ctx);
    const run: Record<PartName, () => Promise<PartResult>> = {
      order_cost: () => orderCostPart(ctx, { orders: num('--orders') }),
      checkout_mix: () => checkoutMixPart(ctx, { orders: num('--orders') }),
      checkout: () => checkoutPart(ctx, pool),
      latency: () => latencyPart(ctx, pool, num('--rate')),
      catalog: () => catalogPart(ctx),
      search: () => searchPart(ctx),
      search_quality: () => searchQualityPart(ctx),
      search_indexing: () => searchIndexingPart(ctx),
      search_reindex: () => searchReindexPart(ctx),
      consumers: () => consumersPart(ctx),
      recommendations: () => recommendationsPart(ctx),
      analytics: () => analyticsPart(ctx),
      notifications: () => notificationsPart(ctx),
      carrier_link: () => carrierLinkPart(ctx),
      shipments: () => shipmentsPart(ctx, { shipments: num('--shipments'), stepMs: num('--step-ms') }),
      flash_sale: () => flashSalePart(ctx, { shoppers: num('--shoppers'), units: num('--units') }),
      voucher_race: () => voucherRacePart(ctx, { claims: num('--claims'), uses: num('--uses') }),
      scale_out: () => scaleOutPart(ctx, { orders: num('--orders') }),
    };
    for (const name of PARTS) {
      if (only && !only.includes(name)) continue;
      try {
        const r = await run[name]();
        results[name] = r;
        print(name, r);
        if (r.invariants && r.invariants.problems.length > 0) failed = true;
      } catch (err) {
        results[name] = { error: (err as Error).message };
        console.log(`\n[${name}] FAILED: ${(err as Error).message}`);
        failed = true;
      }
    }
  } finally {
    await closeDeps(deps);
  }
  const at = new Date().toISOString();
  const out = opt('--out') ?? path.join('bench-results', `${at.replaceAll(':', '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  // The results stay out of git without touching the repository's .gitignore.
  if (!opt('--out')) writeFileSync(path.join('bench-results', '.gitignore'), '*\n');
  writeFileSync(out, JSON.stringify({ at, quick, base, ok: !failed, parts: results }, null, 2));
  console.log(`\nresults: ${out}${failed ? '\nFAILED: an invariant broke or a part failed' : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
