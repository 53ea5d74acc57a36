/**
 * The smallest real workflow: one activity on the worker, used to prove a worker is polling
 * the task queue (operators can start it from the Web UI or CLI; the test suite runs it).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PingActivities } from '../activities/ping';

const { ping } = proxyActivities<PingActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function pingWorkflow(name: string): Promise<string> {
  return ping(name);
}
