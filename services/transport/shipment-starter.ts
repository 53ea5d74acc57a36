/**
 * Starts the shipment workflow of each paid order, exactly once: a consumer of `order.paid`
 * (at least once from Kafka) starts `shipment-<order id>` with REJECT_DUPLICATE, so a redelivered
 * event, a replay from the dead-letter topic or a second consumer finds it started and moves on.
 * Starting from the event rather than inside the checkout saga keeps the committed checkout
 * histories replayable untouched, and a shipment starts even for an order paid by reconciliation.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../../platform/config';
import { topicsFor } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import type { Logger } from '../../platform/logger';
import { shipmentWorkflowId, type ShipmentInput } from '../../workflows/shipment-contract';

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

const TYPES = ['order.paid'] as const;

export interface ShipmentStarterDeps {
  shipmentStart: Pick<ShipmentStart, 'start'>;
}

export interface ShipmentStarterOptions {
  /** Tests only: start shipments for their own orders, not every paid order on the shared topic. */
  accept?: (order: { order_id: string; user_id: string }) => boolean;
}

/** The `shipments` consumer (workers/consumer-registry.ts). Temporal down: the start throws and is retried. */
export function createShipmentStarter(
  deps: ShipmentStarterDeps,
  logger: Logger,
  options: ShipmentStarterOptions = {},
): ConsumerSpec<(typeof TYPES)[number]> {
  return {
    name: 'shipments',
    topics: topicsFor(TYPES),
    types: TYPES,
    async handle(event) {
      const { data } = event;
      if (options.accept && !options.accept(data)) return;
      const started = await deps.shipmentStart.start({
        orderId: data.order_id,
        orderNumber: data.order_number,
        userId: data.user_id,
      });
      logger.info({ order_id: data.order_id, started }, started ? 'shipment started' : 'shipment already started');
    },
  };
}
