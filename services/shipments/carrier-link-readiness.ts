/**
 * Readiness of the carrier-link process: Postgres (its lock and cursor), Temporal (where the sink
 * hands events) and the carrier itself, each bounded and named when down, plus the link's own
 * state. A standby is ready: it is healthy and takes over the moment the active replica goes.
 */
import type { Deps } from '../../platform/deps';
import { checkReadiness, type CheckResult, type Readiness } from '../../platform/health';
import type { CarrierClient } from './carrier-client';
import type { CarrierLink } from './carrier-link';

export async function carrierLinkReadiness(
  deps: Deps,
  carrier: Pick<CarrierClient, 'ping'>,
  link: Pick<CarrierLink, 'stats'>,
): Promise<Readiness & Record<string, unknown>> {
  const started = performance.now();
  const [r, carrierCheck] = await Promise.all([
    checkReadiness(deps, ['postgres', 'temporal']),
    carrier.ping().then(
      (): CheckResult => ({ status: 'up', latency_ms: Math.round(performance.now() - started) }),
      (err: Error): CheckResult => ({
        status: 'down',
        latency_ms: Math.round(performance.now() - started),
        error: err.message,
      }),
    ),
  ]);
  const carrierDown = carrierCheck.status === 'down';
  return {
    status: r.status === 'ready' && !carrierDown ? 'ready' : 'not_ready',
    // The carrier is not one of the shop's own components (DependencyName), but this process has no work without it.
    down: [...r.down, ...(carrierDown ? ['carrier'] : [])] as Readiness['down'],
    checks: { ...r.checks, carrier: carrierCheck } as Readiness['checks'],
    link: link.stats(),
  };
}
