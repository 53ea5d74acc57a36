/**
 * The shopper's cancel of a paid order, asked of the order's shipment workflow as an Update so the
 * API can answer with the verdict. Update-with-start: if the order.paid consumer has not started
 * the shipment yet, the cancel starts it (the consumer's later start then finds it and does nothing).
 * Every call carries the same update id, so Temporal folds a thousand repeats into one cancel.
 */
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { AppError } from '../../platform/errors';
import {
  CANCEL_REASON,
  CANCEL_UPDATE_ID,
  cancelOrderUpdate,
  shipmentStateQuery,
  shipmentWorkflowId,
  type CancelAnswer,
  type CancelRequester,
  type ShipmentInput,
  type ShipmentState,
} from '../../workflows/shipment-contract';
import { shipmentSearchAttributes, type ShipmentStartOptions } from './shipment-client';

/**
 * The verdict needs the carrier's answer (one call, itself bounded), so this waits longer than a
 * signal; past it the API answers 503 naming Temporal and a retry joins the same update.
 */
const CANCEL_DEADLINE_MS = 20_000;

export function createShipmentCancel(client: Client, options: Pick<ShipmentStartOptions, 'taskQueue' | 'timings'>) {
  const bounded = <R>(fn: () => Promise<R>) => client.withDeadline(Date.now() + CANCEL_DEADLINE_MS, fn);

  /**
   * The shipment's verdict, at once: while it runs, from its state (a cancel it accepted and is
   * still finishing, or none: the order was refunded another way, by a complaint); once it has
   * ended, from its outcome. Never waits for a running shipment to finish.
   */
  async function answerOf(orderId: string): Promise<CancelAnswer> {
    const handle = client.workflow.getHandle(shipmentWorkflowId(orderId));
    const { status } = await bounded(() => handle.describe());
    if (status.name === 'RUNNING') {
      try {
        const state = await bounded(() => handle.query(shipmentStateQuery));
        return state.cancel_answer ?? { accepted: false, reason: 'already_refunded' };
      } catch (err) {
        // It may have closed between the describe and the query: its outcome answers then.
        if ((await bounded(() => handle.describe())).status.name !== 'COMPLETED') throw err;
      }
    } else if (status.name !== 'COMPLETED') {
      return { accepted: false, reason: 'already_cancelled' };
    }
    const { outcome } = (await bounded(() => handle.result())) as ShipmentState;
    if (outcome === 'cancelled_refunded') return { accepted: true };
    return { accepted: false, reason: outcome === 'completed' ? 'already_picked_up' : 'already_cancelled' };
  }

  return {
    /**
     * The verdict on an order already refunded: the shipment's, if its cancel did it (every repeat
     * is answered alike), a refusal otherwise; undefined if no shipment ever ran. Never waits for
     * the shipment to finish: a shipment held by a complaint may run for days.
     */
    async verdictOf(orderId: string): Promise<CancelAnswer | undefined> {
      try {
        const answer = await answerOf(orderId);
        return answer.accepted ? answer : { accepted: false, reason: 'already_refunded' };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },

    /**
     * The shipment's verdict on a cancel by the shopper or a refund by an operator (starting the
     * shipment if it has not begun): the carrier's booking withdrawn and the money back, or refused.
     * The update says who asked with a fixed label; an operator's own reason travels as the id of
     * the order service's refund request (`reasonId`), never as text.
     */
    async cancel(
      order: { orderId: string; orderNumber: string; userId: string },
      by: CancelRequester = 'shopper',
      reasonId?: string,
    ) {
      const workflowId = shipmentWorkflowId(order.orderId);
      const startWorkflowOperation = new WithStartWorkflowOperation('shipmentWorkflow', {
        taskQueue: options.taskQueue,
        workflowId,
        // Exactly one shipment per order, as the consumer starts it: a finished one is never rerun.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ ...order, timings: options.timings } satisfies ShipmentInput],
        typedSearchAttributes: shipmentSearchAttributes(order),
      });
      try {
        const answer = await bounded(() =>
          client.workflow.executeUpdateWithStart(cancelOrderUpdate, {
            updateId: CANCEL_UPDATE_ID,
            args: [{ reason: CANCEL_REASON[by], by, ...(reasonId ? { reason_id: reasonId } : {}) }],
            startWorkflowOperation,
          }),
        );
        return { workflowId, answer };
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) && !isClosedWorkflow(err)) throw err;
        return { workflowId, answer: await answerOf(order.orderId) };
      }
    },
  };
}

/** An update sent to a workflow that completed between the read and the call. */
function isClosedWorkflow(err: unknown) {
  const text = `${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return /already completed|workflow execution already/i.test(text);
}

export type ShipmentCancel = ReturnType<typeof createShipmentCancel>;

/** The API's refusal of a cancel the shipment refused: a 409 naming why. */
export function cancelRefusal(answer: Extract<CancelAnswer, { accepted: false }>, status: string) {
  return new AppError(
    'conflict',
    answer.reason === 'already_picked_up'
      ? 'the parcel has been picked up by the courier; the order can no longer be cancelled'
      : answer.reason === 'already_refunded'
        ? 'this order was already refunded'
        : 'this order was already cancelled',
    { reason: answer.reason, status },
  );
}
