/**
 * Starts the shipment workflow of each paid order, exactly once: a consumer of `order.paid`
 * (at least once from Kafka) starts `shipment-<order id>` with REJECT_DUPLICATE, so a redelivered
 * event, a replay from the dead-letter topic or a second consumer finds it started and moves on.
 * Starting from the event rather than inside the checkout saga keeps the committed checkout
 * histories replayable untouched, and a shipment starts even for an order paid by reconciliation.
 */
import { topicsFor } from '../../platform/event-catalog';
import type { ConsumerSpec } from '../../platform/kafka/consumer-spec';
import type { Logger } from '../../platform/logger';
import type { ShipmentStart } from './shipment-client';

// order.confirmed: a cash-on-delivery order, shipped before it is paid (the courier collects).
const TYPES = ['order.paid', 'order.confirmed'] as const;

/** How long the consumer waits after a batch before fetching the next (ConsumerSpec `batching`). */
export const SHIPMENTS_LINGER_MS = 200;

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
    // Starts stay one by one (one workflow each); the linger only spares a fetch and a commit per
    // paid order when orders come in bursts, for at most this much later a start.
    batching: { lingerMs: SHIPMENTS_LINGER_MS },
  };
}
