/**
 * Pasar's side of the shipment workflows: start an order's shipment (once), hand it a carrier
 * event, ask it to rebook, read its live state (the owner's cancel is shipment-cancel.ts). Every call is bounded, so a Temporal outage answers 503 naming it
 * instead of holding the request (or the carrier link's ack) forever.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import {
  carrierEventSignal,
  REBOOK_REASON,
  rebookSignal,
  shipmentStateQuery,
  shipmentWorkflowId,
  type ShipmentInput,
  type TrackingSignal,
} from '../../workflows/shipment-contract';
import { ORDER_NUMBER, SHIPMENT_STATUS, SHIPMENT_STUCK, USER_ID } from '../../workflows/search-attributes';

const CALL_DEADLINE_MS = 5_000;

export function createShipmentClient(client: Client) {
  const handle = (orderId: string) => client.workflow.getHandle(shipmentWorkflowId(orderId));
  // A deadline that passes surfaces as DEADLINE_EXCEEDED, which the API maps to 503 naming Temporal.
  async function bounded<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await client.withDeadline(Date.now() + CALL_DEADLINE_MS, run);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AppError('not_found', 'no shipment workflow for this order');
      throw err;
    }
  }
  return {
    /** Resolves once Temporal accepted the signal (durably recorded in the workflow's history). */
    deliverEvent: (orderId: string, event: TrackingSignal) =>
      bounded(() => handle(orderId).signal(carrierEventSignal, event)),
    /** `rebookId`: the shipment store's record of the operator's rebook (its reason stays there). */
    rebook: (orderId: string, rebookId: string) =>
      bounded(() => handle(orderId).signal(rebookSignal, { reason: REBOOK_REASON, rebook_id: rebookId })),
    state: (orderId: string) => bounded(() => handle(orderId).query(shipmentStateQuery)),
  };
}

export type ShipmentClient = ReturnType<typeof createShipmentClient>;

export interface ShipmentStartOptions {
  taskQueue: string;
  timings: ShipmentInput['timings'];
}

/** Shipment timings from the settings (durations in seconds, see platform/config.ts). */
export const shipmentTimings = (config: Config): ShipmentInput['timings'] => ({
  pickupSlaSeconds: config.shipments.pickupSlaSeconds,
  stuckAfterSeconds: config.shipments.stuckAfterSeconds,
  lostAfterSeconds: config.shipments.lostAfterSeconds,
  completionWindowSeconds: config.shipments.completionWindowSeconds,
});

/**
 * What an operator filters a new shipment by, given with its start so the workflow's first task
 * needs no upsert of its own (workflows/shipment-journey.ts announce()).
 */
export const shipmentSearchAttributes = (order: { orderNumber: string; userId: string }) => [
  { key: ORDER_NUMBER, value: order.orderNumber },
  { key: USER_ID, value: order.userId },
  { key: SHIPMENT_STATUS, value: 'pending' },
  { key: SHIPMENT_STUCK, value: false },
];

/** Starts the order's shipment; true if this call started it, false if it was running or ran already. */
export async function startShipment(
  client: Client,
  options: ShipmentStartOptions,
  order: { orderId: string; orderNumber: string; userId: string },
): Promise<boolean> {
  try {
    await client.workflow.start('shipmentWorkflow', {
      taskQueue: options.taskQueue,
      workflowId: shipmentWorkflowId(order.orderId),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ ...order, timings: options.timings } satisfies ShipmentInput],
      typedSearchAttributes: shipmentSearchAttributes(order),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Starts shipments on one task queue with one set of timings (services/index.ts builds the shop's). */
export function createShipmentStart(client: Client, options: ShipmentStartOptions) {
  return {
    /** True if this call started the order's shipment, false if it was running or ran already. */
    start: (order: { orderId: string; orderNumber: string; userId: string }) => startShipment(client, options, order),
  };
}

export type ShipmentStart = ReturnType<typeof createShipmentStart>;
