/** Builds every activity from its dependencies, once per worker process. */
import type { Services } from '../services';
import { createCheckoutActivities } from './checkout';
import { createComplaintActivities } from './complaints';
import { createShipmentActivities } from './shipment';
import { createPaymentActivities } from './payments';
import { createPingActivities } from './ping';
import { createRefundActivities } from './refunds';

export function createActivities(services: Services) {
  return {
    ...createPingActivities(),
    ...createCheckoutActivities(services),
    ...createPaymentActivities(services),
    ...createComplaintActivities(services),
    ...createShipmentActivities(services),
    ...createRefundActivities(services),
  };
}

export type Activities = ReturnType<typeof createActivities>;
