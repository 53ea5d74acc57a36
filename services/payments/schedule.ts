/**
 * The Temporal Schedule that runs payment reconciliation every RECONCILE_INTERVAL_SECONDS,
 * declared by the worker at start: created once, its interval updated when the config changes.
 * Overlapping runs are skipped, so a slow pass never piles up behind itself.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const RECONCILE_SCHEDULE_ID = 'payments-reconciliation';

export async function ensureReconcileSchedule(client: Client, taskQueue: string, intervalSeconds: number) {
  const spec = { intervals: [{ every: intervalSeconds * 1000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconcilePaymentsWorkflow',
    workflowId: 'payments-reconciliation-run',
    taskQueue,
  };
  try {
    await client.schedule.create({
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).update((prev) => ({ ...prev, spec, action }));
  }
}
