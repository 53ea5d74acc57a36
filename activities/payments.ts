/** Payment activities outside the checkout: the reconciliation pass. */
import type { Services } from '../services';

export function createPaymentActivities(s: Services) {
  return {
    /** Idempotent: it applies each gateway result under a stable event id. */
    reconcilePayments: () => s.reconciler.run(),
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
