/**
 * Business counters, incremented where the thing happens: checkouts in the worker's activities,
 * webhooks in the API, refunds in the worker. Each function takes a closed set of label values,
 * so no caller can put an id or a free-text message into a label.
 */
import { ERROR_STATUS } from '../errors';
import { counter } from './registry';

/** `confirmed`: a cash-on-delivery checkout, ended without a payment (the courier collects). */
export type CheckoutOutcome = 'paid' | 'confirmed' | 'declined' | 'expired' | 'cancelled';
export type WebhookOutcome = 'applied' | 'ignored' | 'refused';
export type WebhookRejection =
  | 'signature_missing'
  | 'signature_stale'
  | 'signature_mismatch'
  | 'malformed_payload'
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'reference_mismatch'
  | 'unknown_intent'
  | 'refund_mismatch'
  | 'status_unconfirmed'
  | 'other';

const checkoutsStarted = () =>
  counter({ name: 'pasar_checkouts_started_total', help: 'Checkout sagas that created their pending order' });
const checkoutsEnded = () =>
  counter({
    name: 'pasar_checkouts_ended_total',
    help: 'Checkout sagas that ended, by outcome (paid, declined, expired, cancelled)',
    labelNames: ['outcome'],
  });
const checkoutsCompensated = () =>
  counter({
    name: 'pasar_checkouts_compensated_total',
    help: 'Checkout sagas whose steps were undone (their order cancelled), by reason',
    labelNames: ['reason'],
  });
const webhooksReceived = () =>
  counter({
    name: 'pasar_payment_webhooks_received_total',
    help: 'Payment results judged (signed webhooks, or found by reconciliation), by outcome, duplicate, source',
    labelNames: ['outcome', 'duplicate', 'source'],
  });
const webhooksRejected = () =>
  counter({
    name: 'pasar_payment_webhooks_rejected_total',
    help: 'Payment webhooks rejected (bad signature, malformed) or refused (lying about money), by reason',
    labelNames: ['reason'],
  });
const refunds = () => counter({ name: 'pasar_refunds_total', help: 'Refunds asked of the gateway (money going back)' });

// The saga's failure codes: its own three, and the AppError codes a failed step carries.
const COMPENSATION_REASONS = new Set([
  'payment_failed',
  'expired',
  'cancelled',
  'internal',
  ...Object.keys(ERROR_STATUS),
]);
const REJECTIONS: Record<string, WebhookRejection> = {
  'missing or malformed signature': 'signature_missing',
  'signature timestamp outside tolerance': 'signature_stale',
  'signature mismatch': 'signature_mismatch',
  amount_mismatch: 'amount_mismatch',
  currency_mismatch: 'currency_mismatch',
  reference_mismatch: 'reference_mismatch',
  unknown_intent: 'unknown_intent',
  refund_mismatch: 'refund_mismatch',
  status_code_mismatch: 'status_unconfirmed',
  not_confirmed_by_gateway: 'status_unconfirmed',
};

export const businessMetrics = {
  checkoutStarted: () => checkoutsStarted().inc(),
  checkoutEnded: (outcome: CheckoutOutcome) => checkoutsEnded().inc({ outcome }),
  /** The saga's failure code; anything outside the known codes is counted as `other`. */
  checkoutCompensated: (reason: string) =>
    checkoutsCompensated().inc({ reason: COMPENSATION_REASONS.has(reason) ? reason : 'other' }),
  webhookReceived: (outcome: WebhookOutcome, duplicate: boolean, source: 'webhook' | 'reconciliation') =>
    webhooksReceived().inc({ outcome, duplicate: String(duplicate), source }),
  /** A signature check's or a refusal's reason, mapped onto the closed set above. */
  webhookRejected: (reason: string | undefined) => webhooksRejected().inc({ reason: rejectionOf(reason) }),
  refundRequested: () => refunds().inc(),
};

/** For a one-line count in a promise chain: `.then(counted(() => businessMetrics.x()))` passes the value on. */
export const counted =
  (count: () => void) =>
  <T>(value: T): T => {
    count();
    return value;
  };

export function rejectionOf(reason: string | undefined): WebhookRejection {
  return (reason && REJECTIONS[reason]) || 'other';
}

// Every closed label value starts at 0 as soon as a process imports this module (the API via its
// webhook route, the worker via its activities): a counter first seen at 5 looks to increase()
// like one that never moved, so the first burst of forged webhooks would go unnoticed.
checkoutsStarted().inc(0);
for (const outcome of ['paid', 'confirmed', 'declined', 'expired', 'cancelled'] as const) checkoutsEnded().inc({ outcome }, 0);
for (const reason of new Set(Object.values(REJECTIONS))) webhooksRejected().inc({ reason }, 0);
refunds().inc(0);
