import { pingWorkflow } from '../../workflows';
import { createWorker } from '../../workers/worker';
import { unique, useDeps } from '../support/deps';

describe('Temporal', () => {
  const deps = useDeps();

  it('runs a workflow whose activity executes on a real worker polling the real server', async () => {
    const taskQueue = unique('test-queue');
    const { worker, connection } = await createWorker(deps(), { taskQueue });
    try {
      const result = await worker.runUntil(
        deps().temporal.client.workflow.execute(pingWorkflow, {
          taskQueue,
          workflowId: unique('ping'),
          args: ['pasar'],
        }),
      );
      expect(result).toBe(`pong pasar from worker pid ${process.pid}`);
    } finally {
      await connection.close();
    }
  });
});
