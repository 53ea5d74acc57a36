/**
 * The process's one Prometheus registry (prom-client). Every metric of this process registers
 * here, and the API's and the health servers' `GET /metrics` serve it. Created on first use, with
 * the Node runtime's own metrics (event-loop lag, heap, GC), so a process that never asks for
 * metrics pays nothing.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from 'prom-client';

let registry: Registry | undefined;

/** This process's registry. */
export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** The text exposition of a registry: what GET /metrics answers. */
export async function exposition(r: Registry = processRegistry()) {
  return { contentType: r.contentType, body: await r.metrics() };
}

// Get-or-create: tests build several apps (or workers) in one process, and prom-client refuses a
// second metric under the same name in one registry.
export function counter<L extends string>(config: CounterConfiguration<L>, r = processRegistry()): Counter<L> {
  return (r.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter({ ...config, registers: [r] });
}

export function gauge<L extends string>(config: GaugeConfiguration<L>, r = processRegistry()): Gauge<L> {
  return (r.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge({ ...config, registers: [r] });
}

export function histogram<L extends string>(config: HistogramConfiguration<L>, r = processRegistry()): Histogram<L> {
  return (r.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram({ ...config, registers: [r] });
}
