/** Payment activities outside the checkout: the reconciliation pass. */
import type { CodReconciler } from '../services/payments/cod-remittances';
import type { Reconciler } from '../services/payments/reconcile';

export function createPaymentActivities(s: {
  reconciler: Pick<Reconciler, 'run'>;
  codReconciler: Pick<CodReconciler, 'run'>;
}) {
  return {
    /**
     * Idempotent: it applies each gateway result under a stable event id. Cash on delivery is
     * reconciled with the couriers' remittances in the same pass (its result under `cod`, or the error
     * that kept it from the couriers), so the
     * scheduled workflow and its recorded histories stay as they were.
     */
    reconcilePayments: async () => {
      const gateway = await s.reconciler.run();
      // A courier that is down costs this pass its COD half only; the next pass reads the same window.
      const cod = await s.codReconciler.run().catch((err: unknown) => ({ error: (err as Error).message }));
      return { ...gateway, cod };
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
