/** Payment activities outside the checkout: the reconciliation pass. */
import type { Reconciler } from '../services/payments/reconcile';

export function createPaymentActivities(s: { reconciler: Pick<Reconciler, 'run'> }) {
  return {
    /** Idempotent: it applies each gateway result under a stable event id. */
    reconcilePayments: () => s.reconciler.run(),
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
