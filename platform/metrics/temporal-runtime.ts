/**
 * The Temporal SDK's own metrics (task slots, schedule-to-start latency, workflow and activity
 * failures, sticky cache), exported by the SDK's Rust core on its own Prometheus port. They are set
 * through Runtime.install, which must run before the first NativeConnection or Worker exists.
 */
import type { TelemetryOptions } from '@temporalio/worker';

/** Telemetry options exporting the SDK's metrics for Prometheus at `host:port/metrics`. */
export function temporalPrometheusTelemetry(bindAddress: string): TelemetryOptions {
  return {
    metrics: {
      prometheus: { bindAddress, useSecondsForDurations: true, countersTotalSuffix: true },
      globalTags: { process: 'worker' },
    },
  };
}
