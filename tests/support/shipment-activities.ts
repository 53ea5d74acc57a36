/**
 * Mocked shipment activities for workflow tests: `applyTrackingEvents` (the batch step of
 * activities/shipment.ts) composed from the test's own `recordTrackingEvent` and `advanceOrder`
 * mocks, as the real step composes the stores, so a test asserts on one set of calls whichever
 * way a run records its carrier events (one activity each before the shipment-local-steps patch).
 */
import type { ShipmentActivities } from '../../activities/shipment';

export function withBatchedTracking<T extends Partial<ShipmentActivities>>(mocks: T): T {
  return {
    ...mocks,
    applyTrackingEvents: async (shipmentId, orderId, batch) => {
      for (const { event, apply, orderMoves } of batch) {
        await mocks.recordTrackingEvent!(shipmentId, event, apply);
        for (const to of orderMoves) await mocks.advanceOrder!(orderId, to, shipmentId);
      }
    },
  } satisfies Partial<ShipmentActivities>;
}
