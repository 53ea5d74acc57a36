/** Builds the Temporal worker: the bundled workflows plus activities created from real deps. */
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Deps } from '../platform/deps';

export const WORKFLOWS_PATH = path.resolve(process.cwd(), 'workflows/index.ts');

export interface WorkerOptions {
  taskQueue?: string;
  workflowsPath?: string;
}

export async function createWorker(deps: Deps, options: WorkerOptions = {}) {
  const { config } = deps;
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH,
    activities: createActivities(deps),
  });
  return { worker, connection };
}
