/**
 * A Temporal worker for a workflow test file: the workflows in the tree with mocked activities, on
 * the file's own task queue against the real server, started before the file's tests and shut
 * down after them.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { getConfig } from '../../platform/config';
import { WORKFLOWS_PATH } from '../../workers/worker';

export function useMockedActivityWorker(taskQueue: string, activities: () => Partial<Activities>) {
  let worker: Worker;
  let connection: NativeConnection;
  let running: Promise<void>;
  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: getConfig().temporal.address });
    worker = await Worker.create({ connection, taskQueue, workflowsPath: WORKFLOWS_PATH, activities: activities() });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });
}
