/**
 * Posts payment-gateway notifications to a test server, signed as the gateway signs them
 * (Midtrans model: signature_key in the body, contracts/payment-notification.ts). The retired
 * HMAC-header scheme is kept for the tests of its retirement window only.
 */
import {
  signNotification,
  STATUS_CODES,
  type TransactionReport,
  type TransactionStatus,
} from '../../contracts/payment-notification';
import { signWebhook, SIGNATURE_HEADER } from '../../contracts/webhook-signature/gateway';
import type { TestServer } from './server';

async function post(server: TestServer, raw: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}/payments/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/**
 * A notification about a payment as `GET /payments/:orderId` shows it (`txn`), with the status
 * given and the status_code that status is sent with; `overrides` change any field after that.
 */
export function notificationOf(
  txn: { order_id: string; gateway_transaction_id: string; amount: string },
  status: TransactionStatus,
  overrides: Partial<TransactionReport> = {},
): TransactionReport {
  return {
    transaction_id: txn.gateway_transaction_id,
    order_id: txn.order_id,
    gross_amount: txn.amount,
    currency: 'IDR',
    payment_type: 'credit_card',
    transaction_status: status,
    status_code: STATUS_CODES[status],
    status_message: `${status} transaction`,
    fraud_status: 'accept',
    transaction_time: new Date().toISOString(),
    ...overrides,
  };
}

/** Signs `report` with the server key (the configured one unless a test forges) and posts it. */
export const postNotification = (
  server: TestServer,
  report: TransactionReport,
  serverKey = server.config.payments.serverKey,
) => post(server, JSON.stringify(signNotification(report, serverKey)));

/** Posts an already signed body as it is (for altered notifications). */
export const postRawNotification = (server: TestServer, body: unknown) => post(server, JSON.stringify(body));

/** The retired scheme: an event signed in X-Gateway-Signature (accepted until PAYMENT_LEGACY_WEBHOOK_UNTIL). */
export async function postSignedWebhook(
  server: TestServer,
  event: unknown,
  secret = server.config.payments.webhookSecret,
) {
  const raw = JSON.stringify(event);
  return post(server, raw, { [SIGNATURE_HEADER]: signWebhook(secret, raw) });
}
