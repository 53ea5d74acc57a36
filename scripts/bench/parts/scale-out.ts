/**
 * The shop scaled out, as production runs it: against `PASAR_REPLICAS=2 npm start` (two of every
 * process on one stack, the second set's ports `REPLICA_PORT_STEP` above the first's), N orders
 * from cart to delivered parcel with the shoppers split between the two APIs, every invariant
 * checked, and each replica's share of the work read from its own counters: the API's requests,
 * the worker's workflow tasks and activities (its Temporal SDK metrics), each consumer group
 * member's handled events, and which relay and carrier link is active and which stands by.
 */
import { createShop } from '../lib/shop';
import type { BenchContext, PartResult } from './context';
import { notTheFullShop, orderCostPart } from './order-cost';

/** How far the second replica's ports sit above the first's (scripts/start.sh, PASAR_REPLICAS). */
export const REPLICA_PORT_STEP = 10;

const text = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.text())
    .catch(() => undefined);

/** Sum of a metric's samples whose labels contain every `match`. */
function sumOf(metrics: string | undefined, name: string, match: string[] = []) {
  let sum = 0;
  for (const line of metrics?.split('\n') ?? [])
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && match.every((m) => line.includes(m)))
      sum += Number(line.split(' ').at(-1));
  return sum;
}

interface ReplicaCounts {
  api_requests: number;
  workflow_tasks: number;
  activities: number;
  consumer_handled: number;
  relay_role: string;
  carrier_link_state: string;
}

async function countsOf(ctx: BenchContext, replica: number): Promise<ReplicaCounts> {
  const host = ctx.config.health.host;
  const at = (port: number) => `http://${host}:${port + replica * REPLICA_PORT_STEP}`;
  const [api, sdk, consumers, relay, link] = await Promise.all([
    text(`${at(ctx.config.api.metricsPort)}/metrics`),
    text(`${at(ctx.config.metrics.temporalPort)}/metrics`),
    text(`${at(ctx.config.health.consumersPort)}/metrics`),
    text(`${at(ctx.config.health.relayPort)}/readyz`),
    text(`${at(ctx.config.health.carrierLinkPort)}/readyz`),
  ]);
  const json = (s: string | undefined) => {
    try {
      return s ? JSON.parse(s) : {};
    } catch {
      return {};
    }
  };
  return {
    api_requests: sumOf(api, 'pasar_http_requests_total') - sumOf(api, 'pasar_http_requests_total', ['/metrics']),
    workflow_tasks: sumOf(sdk, 'temporal_workflow_task_execution_latency_count'),
    activities:
      sumOf(sdk, 'temporal_activity_execution_latency_count') +
      sumOf(sdk, 'temporal_local_activity_execution_latency_count'),
    consumer_handled: sumOf(consumers, 'pasar_consumer_messages_total', ['result="handled"']),
    relay_role: json(relay).role ?? 'down',
    carrier_link_state: json(link).link?.state ?? 'down',
  };
}

export async function scaleOutPart(ctx: BenchContext, opts: { orders?: number } = {}): Promise<PartResult> {
  const skipped = await notTheFullShop(ctx);
  if (skipped) return { figures: {}, ratios: [], skipped };
  const second = `http://${ctx.config.api.host}:${ctx.config.api.port + REPLICA_PORT_STEP}`;
  if ((await text(`${second}/readyz`)) === undefined)
    return { figures: {}, ratios: [], skipped: `no second replica at ${second}: run PASAR_REPLICAS=2 npm start` };

  const before = await Promise.all([countsOf(ctx, 0), countsOf(ctx, 1)]);
  const result = await orderCostPart(ctx, { orders: opts.orders, shops: [ctx.shop, createShop(second)] });
  const after = await Promise.all([countsOf(ctx, 0), countsOf(ctx, 1)]);

  const share = (key: 'api_requests' | 'workflow_tasks' | 'activities' | 'consumer_handled') =>
    after.map((a, i) => a[key] - before[i]![key]);
  const figures: PartResult['figures'] = { ...result.figures };
  const problems = [...(result.invariants?.problems ?? [])];
  for (const key of ['api_requests', 'workflow_tasks', 'activities', 'consumer_handled'] as const) {
    const [a, b] = share(key);
    figures[`${key}_by_replica`] = `${a}/${b}`;
    if (!(a! > 0 && b! > 0)) problems.push(`${key}: a replica did none of the work (${a}/${b})`);
  }
  const roles = after.map((a) => a.relay_role);
  const links = after.map((a) => a.carrier_link_state);
  figures.relay_roles = roles.join('/');
  figures.carrier_link_states = links.join('/');
  if (roles.filter((r) => r === 'active').length !== 1 || !roles.includes('standby'))
    problems.push(`relays should be one active and one standby, are ${roles.join('/')}`);
  if (links.filter((s) => s === 'streaming').length !== 1 || !links.includes('standby'))
    problems.push(`carrier links should be one streaming and one standby, are ${links.join('/')}`);
  return {
    ...result,
    figures,
    invariants: result.invariants && { ...result.invariants, problems },
  };
}
