/** Builds the Temporal worker: the bundled workflows plus activities created from real deps. */
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import type { Deps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { temporalPrometheusTelemetry } from '../platform/metrics/temporal-runtime';
import { temporalWorkerPlugins } from '../platform/telemetry/temporal';
import { activeTracing } from '../platform/telemetry/tracing';
import { createServices, type Services } from '../services';
import { WORKFLOWS_PATH } from './workflow-bundle';

export {
  prebuiltWorkflowBundle,
  WORKFLOW_BUNDLE_FILE,
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOWS_PATH,
} from './workflow-bundle';

export interface WorkerOptions {
  taskQueue?: string;
  workflowsPath?: string;
  /** A bundle from `npm run build` (see prebuiltWorkflowBundle); workflowsPath is then unused. */
  workflowBundlePath?: string;
  /** Replaces some activities: fault-injection tests make one step fail for good. */
  overrideActivities?: (real: Activities) => Partial<Activities>;
  /** `host:port` for the SDK's Prometheus metrics; only the worker process sets it (one runtime per process). */
  metricsBindAddress?: string;
  /** The process's stores, when it built them already (workers/temporal-worker.ts); else built from deps. */
  services?: Services;
}

const TEMPORAL_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/** The SDK's runtime logger is process-wide and can be set only before the first worker exists. */
function installRuntimeLogger(level: string, metricsBindAddress?: string) {
  try {
    Runtime.install({
      logger: new DefaultLogger(TEMPORAL_LEVELS[level] ?? 'ERROR'),
      ...(metricsBindAddress ? { telemetryOptions: temporalPrometheusTelemetry(metricsBindAddress) } : {}),
    });
  } catch {
    // Already installed by an earlier worker in this process.
  }
}

export async function createWorker(deps: Deps, options: WorkerOptions = {}) {
  const { config } = deps;
  installRuntimeLogger(config.logLevel, options.metricsBindAddress);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    plugins: temporalWorkerPlugins(),
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH }),
    // The prebuilt bundle always carries OpenTelemetry's workflow interceptors; with tracing off
    // nothing registers the sink they hand spans to, and each span would log an error.
    ...(options.workflowBundlePath && !activeTracing()
      ? { sinks: { exporter: { export: { fn: () => undefined } } } }
      : {}),
    activities: withOverrides(
      createActivities(options.services ?? createServices(deps, createLogger(config.logLevel, 'activities'))),
      options.overrideActivities,
    ),
  });
  return { worker, connection };
}

function withOverrides(real: Activities, override?: WorkerOptions['overrideActivities']): Activities {
  return override ? { ...real, ...override(real) } : real;
}
