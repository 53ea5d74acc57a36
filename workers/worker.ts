/** Builds the Temporal worker: the bundled workflows plus activities created from real deps. */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import type { Deps } from '../platform/deps';
import { createLogger } from '../platform/logger';
import { createServices } from '../services';

export const WORKFLOWS_PATH = path.resolve(process.cwd(), 'workflows/index.ts');

export interface WorkerOptions {
  taskQueue?: string;
  workflowsPath?: string;
  /** Replaces some activities: fault-injection tests make one step fail for good. */
  overrideActivities?: (real: Activities) => Partial<Activities>;
}

const TEMPORAL_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/** The SDK's runtime logger is process-wide and can be set only before the first worker exists. */
function installRuntimeLogger(level: string) {
  try {
    Runtime.install({ logger: new DefaultLogger(TEMPORAL_LEVELS[level] ?? 'ERROR') });
  } catch {
    // Already installed by an earlier worker in this process.
  }
}

export async function createWorker(deps: Deps, options: WorkerOptions = {}) {
  const { config } = deps;
  installRuntimeLogger(config.logLevel);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH,
    activities: withOverrides(
      createActivities(createServices(deps, createLogger(config.logLevel, 'activities'))),
      options.overrideActivities,
    ),
  });
  return { worker, connection };
}

function withOverrides(real: Activities, override?: WorkerOptions['overrideActivities']): Activities {
  return override ? { ...real, ...override(real) } : real;
}
