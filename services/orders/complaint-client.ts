/**
 * The order service's side of the complaint workflows: start a case (once per complaint: the
 * workflow id is the complaint's), hand it an action through its update (a refused action comes
 * back as a 409 / 400 naming why), read its state, and hold or release the order's completion
 * in the order's shipment workflow.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../platform/config';
import { AppError, type ErrorCode } from '../../platform/errors';
import {
  complaintActionUpdate,
  complaintOfParcel,
  complaintParcelSignal,
  complaintStateQuery,
  complaintWorkflowId,
  type ComplaintAction,
  type ComplaintInput,
  type ComplaintParcelEvent,
  type ComplaintState,
} from '../../workflows/complaint-contract';
import { COMPLAINT_STATE, ORDER_STATUS, USER_ID } from '../../workflows/search-attributes';
import { holdCompletionSignal, releaseCompletionSignal, shipmentWorkflowId } from '../../workflows/shipment-contract';

/** Temporal down must answer 503 promptly, never hang a request in the SDK's retries. */
const CALL_DEADLINE_MS = 5_000;
const ACTION_DEADLINE_MS = 20_000;

const REFUSALS: Record<string, ErrorCode> = {
  invalid_state: 'conflict',
  conflict: 'conflict',
  forbidden: 'forbidden',
  validation_failed: 'validation_failed',
};

export function createComplaintClient(client: Client, config: Config) {
  const bounded = <R>(ms: number, fn: () => Promise<R>) => client.withDeadline(Date.now() + ms, fn);

  async function signalShipment(
    orderId: string,
    send: (h: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
  ) {
    try {
      await bounded(CALL_DEADLINE_MS, () => send(client.workflow.getHandle(shipmentWorkflowId(orderId))));
      return true;
    } catch (err) {
      // An order without a running shipment workflow (delivered before shipping ran, or already
      // completed) has no completion to hold.
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  return {
    /** Starts the case; a second start of the same complaint finds the first. */
    async start(input: Omit<ComplaintInput, 'deadlines'>) {
      const workflowId = complaintWorkflowId(input.complaintId);
      try {
        await bounded(CALL_DEADLINE_MS, () =>
          client.workflow.start('complaintWorkflow', {
            taskQueue: config.temporal.taskQueue,
            workflowId,
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [
              {
                ...input,
                deadlines: config.complaints.deadlines,
                parcelLostAfterSeconds: config.shipments.lostAfterSeconds,
              } satisfies ComplaintInput,
            ],
            memo: { order_id: input.orderId, complaint_id: input.complaintId },
            typedSearchAttributes: [
              { key: USER_ID, value: input.userId },
              { key: COMPLAINT_STATE, value: 'awaiting_seller' },
              { key: ORDER_STATUS, value: 'delivered' },
            ],
          }),
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return workflowId;
    },

    /** True if the complaint's workflow exists (running or closed). */
    async exists(complaintId: string) {
      try {
        await bounded(CALL_DEADLINE_MS, () => client.workflow.getHandle(complaintWorkflowId(complaintId)).describe());
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /** Hands the case an action; answers with the case after it moved, or why it was refused. */
    async act(complaintId: string, action: ComplaintAction): Promise<ComplaintState> {
      try {
        return await bounded(ACTION_DEADLINE_MS, () =>
          client.workflow
            .getHandle(complaintWorkflowId(complaintId))
            .executeUpdate(complaintActionUpdate, { args: [action] }),
        );
      } catch (err) {
        const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
        if (cause instanceof ApplicationFailure) {
          throw new AppError(REFUSALS[cause.type ?? ''] ?? 'conflict', cause.message, cause.details?.[0] ?? undefined);
        }
        if (err instanceof WorkflowNotFoundError) {
          throw new AppError('conflict', 'this complaint is closed', { reason: 'complaint_closed' });
        }
        throw err;
      }
    },

    /** The case as the workflow holds it now, or undefined once it is gone from Temporal. */
    async state(complaintId: string): Promise<ComplaintState | undefined> {
      try {
        return await bounded(CALL_DEADLINE_MS, () =>
          client.workflow.getHandle(complaintWorkflowId(complaintId)).query(complaintStateQuery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },

    /**
     * Hands a carrier event of one of a case's own parcels (reference `replacement-<id>` or
     * `return-<id>`) to that case. Undefined for any other parcel; `closed` when the case has ended.
     */
    async deliverParcelEvent(event: ComplaintParcelEvent): Promise<'delivered' | 'closed' | undefined> {
      const parcel = complaintOfParcel(event.reference);
      if (!parcel) return undefined;
      const { event_id, reference, awb, status } = event;
      try {
        await bounded(CALL_DEADLINE_MS, () =>
          client.workflow
            .getHandle(complaintWorkflowId(parcel.complaintId))
            .signal(complaintParcelSignal, { event_id, reference, awb, status }),
        );
        return 'delivered';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'closed';
        throw err;
      }
    },

    holdCompletion: (orderId: string, complaintId: string) =>
      signalShipment(orderId, (h) => h.signal(holdCompletionSignal, { hold_id: complaintId, reason: 'complaint' })),
    releaseCompletion: (orderId: string, complaintId: string) =>
      signalShipment(orderId, (h) => h.signal(releaseCompletionSignal, { hold_id: complaintId })),
  };
}

export type ComplaintClient = ReturnType<typeof createComplaintClient>;
