/**
 * The one path by which a payment result enters Pasar, whether a webhook brought it or
 * reconciliation found it at the gateway: record and judge the event (payments store), then tell
 * the order's checkout saga, or, when the money arrived after the checkout was undone, start the
 * refund. Racing deliveries of the same result are harmless: events are deduplicated by id, the
 * payment status only moves forward and the saga takes the first decisive result.
 */
import type { Logger } from '../../platform/logger';
import { businessMetrics } from '../../platform/metrics/business';
import type { CheckoutClient } from '../orders/checkout-client';
import type { OrderStore } from '../orders/store';
import type { PaymentReversal } from './reversal';
import type { PaymentStore, WebhookOutcome } from './store';
import type { GatewayWebhook } from './webhook-rules';

export function createPaymentSettlement(
  deps: { payments: PaymentStore; orders: OrderStore; checkout: CheckoutClient; reversal: PaymentReversal },
  logger: Logger,
) {
  const { payments, orders, checkout } = deps;

  return {
    async receive(event: GatewayWebhook, source: 'webhook' | 'reconciliation'): Promise<WebhookOutcome> {
      const outcome = await payments.applyWebhook(event);
      businessMetrics.webhookReceived(outcome.outcome, outcome.duplicate, source);
      // Another transaction of an order we know: a QR code paid twice, or the intent a switch of method replaced.
      const stray =
        outcome.outcome === 'refused' && outcome.reason === 'unknown_intent' && (await payments.isStray(event));
      if (outcome.outcome === 'refused' && !outcome.duplicate && !stray) {
        // A signed event that lies about money: a gateway bug or a leaked secret. Alert on this line.
        businessMetrics.webhookRejected(outcome.reason);
        logger.error(
          { alert: 'payment_webhook_refused', event_id: event.id, type: event.type, reason: outcome.reason, source },
          'payment webhook refused: it does not match the transaction it names',
        );
      }
      if (stray && event.type === 'payment_intent.succeeded') {
        // The order has its payment (or awaits it on its current intent): this money goes back.
        if (await payments.refundStray(event))
          logger.warn(
            { order_id: event.data.reference, intent_id: event.data.intent_id, source },
            "a payment outside the order's own transaction was refunded",
          );
      } else if (outcome.outcome === 'ignored' && outcome.reason === 'unknown_type' && !outcome.duplicate) {
        logger.warn({ event_id: event.id, type: event.type, source }, 'payment event of an unknown type ignored');
      }
      const result = outcome.result;
      if (outcome.orderId && result?.status === 'reversed') {
        // Settled, then denied: the checkout is long done; the order must not ship (reversal.ts).
        await deps.reversal.handle(outcome.orderId);
      } else if (outcome.orderId && (result?.status === 'succeeded' || result?.status === 'failed')) {
        const order = await orders.get(outcome.orderId);
        const told = order?.workflow_id
          ? await checkout.signalPayment(order.workflow_id, { ...result, status: result.status })
          : false;
        const held = async () => (await payments.get(outcome.orderId!))?.status === 'success';
        // Paid after the checkout had already been undone: the money must go back, unless the
        // checkout's compensation found it taken and is already giving it back.
        if (!told && result.status === 'succeeded' && order?.status === 'cancelled' && (await held())) {
          logger.warn(
            { order_id: order.id, event_id: event.id, source },
            'payment succeeded after cancellation; refunding',
          );
          await checkout.startRefund(order.id, 'payment arrived after the checkout was cancelled');
        }
      }
      if (!outcome.duplicate || outcome.orderId) await payments.markApplied(event.id);
      return outcome;
    },
  };
}

export type PaymentSettlement = ReturnType<typeof createPaymentSettlement>;
