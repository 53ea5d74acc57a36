/**
 * What one order costs the whole shop: N shoppers check out, pay, and wait for their parcel, 20 at
 * a time, against the shop as `npm start` runs it (every process, consumer, the carrier link and its
 * simulator's journey). From the first checkout until every parcel is delivered and every consumer
 * group's lag is 0: the machine's busy CPU (/proc/stat) and each process kind's (/proc/<pid>/stat),
 * per order, beside the same processes' idle cost measured just before (the stack ticking with no
 * orders: Kafka, Elasticsearch, ClickHouse, Prometheus scrapes...). Then, from the orders' Temporal
 * histories, Kafka's offsets and the consumers' counts, what each order set off.
 *
 * The goal (issue 19) is on `shop_cpu_ms_per_order`: the shop's processes only, the bench client
 * (which also registers, polls and reads histories) left out. The machine figure is printed beside
 * it; it includes the bench and whatever else the machine was doing.
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { groupLag } from '../../../platform/metrics/consumer-lag';
import { groupIdOf } from '../../../platform/kafka/consumer';
import { ALL_TOPICS } from '../../../platform/kafka/topics';
import { REGISTERED_CONSUMERS } from '../../../workers/consumer-registry';
import { shipmentWorkflowId } from '../../../workflows/shipment-contract';
import { cpuBetween, cpuSnapshot, type CpuUsed } from '../lib/cpu';
import { checkInvariants, isPaid } from '../lib/invariants';
import { percentile, round, runPool, sleep } from '../lib/load';
import { shoppers, type Shop, type Shopper } from '../lib/shop';
import type { BenchContext, PartResult } from './context';

const CONCURRENCY = 20;
const IDLE_SECONDS = 10;

async function topicEnds(admin: Admin) {
  let sum = 0;
  for (const t of ALL_TOPICS)
    for (const p of await admin.fetchTopicOffsets(t.name).catch(() => [])) sum += Number(p.high);
  return sum;
}

async function lagOfAllGroups(admin: Admin) {
  let lag = 0;
  for (const c of REGISTERED_CONSUMERS) for (const p of await groupLag(admin, groupIdOf(c.name))) lag += p.lag;
  return lag;
}

/** The consumers process's own count of events it handled (its /metrics), summed over consumers. */
async function consumerHandlings(ctx: BenchContext) {
  const url = `http://${ctx.config.health.host}:${ctx.config.health.consumersPort}/metrics`;
  const text = await fetch(url).then((r) => r.text());
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('pasar_consumer_messages_total{') && line.includes('result="handled"'))
      sum += Number(line.split(' ').at(-1));
  return sum;
}

/** What the order's workflows did, from their histories. */
async function workflowWork(ctx: BenchContext, workflowIds: string[]) {
  const counts = {
    events: 0,
    workflow_tasks: 0,
    activities: 0,
    local_activities: 0,
    signals: 0,
    updates: 0,
    upserts: 0,
    timers: 0,
  };
  for (const id of workflowIds) {
    const history = await ctx.temporal.workflow.getHandle(id).fetchHistory();
    for (const e of history.events ?? []) {
      counts.events++;
      if (e.workflowTaskCompletedEventAttributes) counts.workflow_tasks++;
      else if (e.activityTaskScheduledEventAttributes) counts.activities++;
      else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') counts.local_activities++;
      else if (e.workflowExecutionSignaledEventAttributes) counts.signals++;
      else if (e.workflowExecutionUpdateAcceptedEventAttributes) counts.updates++;
      else if (e.upsertWorkflowSearchAttributesEventAttributes) counts.upserts++;
      else if (e.timerStartedEventAttributes) counts.timers++;
    }
  }
  return counts;
}

interface Placed {
  shopper: Shopper;
  orderId: string;
  workflowId: string;
  paidMs: number;
}

async function placeOrder(shop: Shop, s: Shopper): Promise<Placed> {
  const started = performance.now();
  const r = await shop.checkout(s);
  if (r.status !== 202) throw new Error(`checkout refused: ${r.status} ${JSON.stringify(r.body)}`);
  await shop.pay(s, r.body.order_id);
  const status = await shop.settled(s, r.body.order_id);
  if (!isPaid(status)) throw new Error(`order ${r.body.order_id} ended ${status}`);
  return {
    shopper: s,
    orderId: r.body.order_id,
    workflowId: r.body.workflow_id,
    paidMs: performance.now() - started,
  };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

const perOrder = (used: CpuUsed, n: number) =>
  Object.fromEntries(
    Object.entries(used.byKind)
      .filter(([, s]) => s >= 0.005)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, s]) => [kind, Math.round((s * 1000) / n)]),
  );

/**
 * Why this part cannot run here, if it cannot: it needs the shop `npm start` runs (its consumers
 * start the shipments, its carrier link moves them), not a bare API and worker such as the bench
 * test's server on a port of its own.
 */
export async function notTheFullShop(ctx: BenchContext): Promise<string | undefined> {
  const shop = `http://${ctx.config.api.host}:${ctx.config.api.port}`;
  if (ctx.base !== shop) return `measures the whole shop at ${shop} (npm start), not ${ctx.base}`;
  const consumers = `http://${ctx.config.health.host}:${ctx.config.health.consumersPort}/readyz`;
  const ready = await fetch(consumers, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.ok)
    .catch(() => false);
  return ready ? undefined : `the shop's consumers are not ready at ${consumers} (npm start runs them)`;
}

/** `shops`: the APIs the shoppers are split between (the scale-out part's two); the shop's own by default. */
export async function orderCostPart(
  ctx: BenchContext,
  opts: { orders?: number; shops?: Shop[] } = {},
): Promise<PartResult> {
  const skipped = await notTheFullShop(ctx);
  if (skipped) return { figures: {}, ratios: [], skipped };
  const n = opts.orders ?? (ctx.quick ? 4 : 40);
  const shops = opts.shops ?? [ctx.shop];
  const shopOf = (i: number) => shops[i % shops.length]!;
  const since = Math.floor(Date.now() / 1000) - 5;
  const productId = await ctx.shop.product(ctx.admin, n, `Bench order cost ${randomUUID().slice(0, 6)}`);
  const crowd = await shoppers(ctx.shop, n);
  const jobs = crowd.map((s, i) => ({ s, shop: shopOf(i) }));
  await runPool(jobs, CONCURRENCY, async ({ s, shop }) => void (await shop.addToCart(s, productId)));
  const admin = ctx.deps.kafka.admin();
  await admin.connect();
  try {
    // Everything the set-up set off settles first, so that the idle measure is idle.
    await waitUntil('consumer lag 0 before the orders', async () => (await lagOfAllGroups(admin)) === 0, 120_000);
    const idleStart = cpuSnapshot();
    await sleep(IDLE_SECONDS * 1000);
    const idle = cpuBetween(idleStart, cpuSnapshot());

    const eventsBefore = await topicEnds(admin);
    const handledBefore = await consumerHandlings(ctx);
    const start = cpuSnapshot();
    const placed: Placed[] = [];
    await runPool(jobs, CONCURRENCY, async ({ s, shop }) => void placed.push(await placeOrder(shop, s)));
    const paidAt = performance.now();
    const ids = placed.map((p) => p.orderId);
    await waitUntil(
      'every parcel delivered',
      async () =>
        (await ctx.db.order.count({ where: { id: { in: ids }, status: { in: ['delivered', 'completed'] } } })) === n,
      600_000,
    );
    const deliveredAt = performance.now();
    await waitUntil('consumer lag 0', async () => (await lagOfAllGroups(admin)) === 0, 120_000);
    const used = cpuBetween(start, cpuSnapshot());
    const events = (await topicEnds(admin)) - eventsBefore;
    const handled = (await consumerHandlings(ctx)) - handledBefore;

    // The stack's idle cost over the same wall time, for comparison (not subtracted from the goal figure).
    const idleShare = used.wallSeconds / idle.wallSeconds;
    const checkout = await workflowWork(
      ctx,
      placed.map((p) => p.workflowId),
    );
    const shipment = await workflowWork(
      ctx,
      ids.map((id) => shipmentWorkflowId(id)),
    );
    const per = (x: number) => round(x / n, 1);
    const invariants = await checkInvariants(ctx.db, ctx.gateway, new Map([[productId, n]]), since);
    const paidMs = placed.map((p) => p.paidMs);
    return {
      figures: {
        orders: n,
        concurrency: CONCURRENCY,
        window_s: round(used.wallSeconds, 1),
        all_paid_s: round((paidAt - start.at) / 1000, 1),
        all_delivered_s: round((deliveredAt - start.at) / 1000, 1),
        checkout_to_paid_p50_ms: Math.round(percentile(paidMs, 50)),
        shop_cpu_ms_per_order: Math.round((used.shop * 1000) / n),
        machine_busy_cpu_ms_per_order: Math.round((used.machineBusy * 1000) / n),
        idle_shop_cpu_ms_per_order: Math.round((idle.shop * idleShare * 1000) / n),
        idle_shop_cpu_percent: round((idle.shop / idle.wallSeconds) * 100, 1),
        bench_client_cpu_ms_per_order: Math.round(((used.byKind.bench ?? 0) * 1000) / n),
        goal_shop_cpu_ms_per_order: 250,
        by_process_ms_per_order: JSON.stringify(perOrder(used, n)),
        idle_by_process_ms_per_order: JSON.stringify(
          perOrder(
            { ...idle, byKind: Object.fromEntries(Object.entries(idle.byKind).map(([k, s]) => [k, s * idleShare])) },
            n,
          ),
        ),
        checkout_per_order: JSON.stringify(Object.fromEntries(Object.entries(checkout).map(([k, v]) => [k, per(v)]))),
        shipment_per_order: JSON.stringify(Object.fromEntries(Object.entries(shipment).map(([k, v]) => [k, per(v)]))),
        kafka_events_per_order: per(events),
        consumer_handlings_per_order: per(handled),
      },
      ratios: [],
      invariants,
    };
  } finally {
    await admin.disconnect();
  }
}
