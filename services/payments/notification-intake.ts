/**
 * The gateway's notification, from a verified body to the one settlement path: the signature_key
 * (SHA-512, compared in constant time), the status_code agreeing with the status, and the
 * gateway's status API confirming the status (the signature does not cover it), then
 * settlement.receive as for any result. What fails a check is answered 401 and counted, never
 * recorded as a payment fact; a status API that cannot be reached is a 503, so the gateway sends
 * the notification again.
 */
import { verifySignatureKey, type PaymentNotification } from '../../contracts/payment-notification';
import { AppError } from '../../platform/errors';
import { businessMetrics } from '../../platform/metrics/business';
import type { PaymentSettlement } from './settlement';
import type { PaymentStore } from './store';
import { eventFromNotification, notificationCheck } from './webhook-rules';

export function createNotificationIntake(
  deps: { payments: Pick<PaymentStore, 'gatewayStatus'>; settlement: PaymentSettlement },
  serverKey: string,
) {
  // Counted by reason (pasar_payment_webhooks_rejected_total), as the old scheme's failures were.
  const reject = (reason: string, n: PaymentNotification): never => {
    businessMetrics.webhookRejected(reason);
    throw new AppError('unauthorized', `webhook rejected: ${reason.replaceAll('_', ' ')}`, {
      reason,
      order_id: n.order_id,
    });
  };

  return {
    async receive(n: PaymentNotification) {
      if (!verifySignatureKey(n, serverKey)) reject('signature mismatch', n);
      const shape = notificationCheck(n);
      if (!shape.ok) reject(shape.reason, n);
      const current = await deps.payments.gatewayStatus(n.transaction_id).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'not_found') return undefined;
        throw err; // unreachable: a 503, and the gateway sends it again
      });
      if (!current) reject('not_confirmed_by_gateway', n);
      const confirmed = notificationCheck(n, current);
      if (!confirmed.ok) reject(confirmed.reason, n);
      return deps.settlement.receive(eventFromNotification(n), 'webhook');
    },
  };
}
