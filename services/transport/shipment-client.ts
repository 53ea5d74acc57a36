/**
 * The API's side of the shipment workflows: hand a carrier event to an order's shipment, ask it to
 * rebook, read its live state. Every call is bounded, so a Temporal outage answers 503 naming it
 * instead of holding the request (or the carrier link's ack) forever.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { AppError } from '../../platform/errors';
import {
  carrierEventSignal,
  rebookSignal,
  shipmentStateQuery,
  shipmentWorkflowId,
  type TrackingSignal,
} from '../../workflows/shipment-contract';

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
    rebook: (orderId: string, reason: string) => bounded(() => handle(orderId).signal(rebookSignal, { reason })),
    state: (orderId: string) => bounded(() => handle(orderId).query(shipmentStateQuery)),
  };
}

export type ShipmentClient = ReturnType<typeof createShipmentClient>;
