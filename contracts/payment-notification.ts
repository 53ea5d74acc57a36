/**
 * The payment gateway's notifications, in the Midtrans Core API model: one JSON body per change
 * of a transaction, for every payment method, POSTed to the merchant's notification URL and sent
 * again until it answers 200. The body carries its own signature:
 *
 *   signature_key = hex SHA-512(order_id + status_code + gross_amount + server_key)
 *
 * The signature covers neither transaction_status nor the refund fields, and carries no
 * timestamp: a notification for one status can be re-sent with another status of the same
 * status_code and still verify. So a receiver checks that status_code agrees with
 * transaction_status (STATUS_CODES) and believes the status only once the gateway's status API
 * (`GET /v2/{order_id}/status`) confirms it. Uses node:crypto: workflows never import it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const TRANSACTION_STATUSES = [
  'pending',
  'capture',
  'settlement',
  'deny',
  'cancel',
  'expire',
  'refund',
  'partial_refund',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** The status_code each transaction_status is sent with (Midtrans: 200 done, 201 waiting, 202 refused or ended). */
export const STATUS_CODES: Record<TransactionStatus, string> = {
  pending: '201',
  capture: '200',
  settlement: '200',
  deny: '202',
  cancel: '202',
  expire: '202',
  refund: '200',
  partial_refund: '200',
};

/** The gateway's payment types (Midtrans names). */
export type PaymentType =
  'credit_card' | 'bank_transfer' | 'echannel' | 'permata' | 'qris' | 'gopay' | 'shopeepay' | 'dana' | 'ovo';

/** A refund as the gateway reports it; `refund_key` is the merchant's own id for it. */
export interface GatewayRefund {
  refund_chargeback_id: string;
  refund_amount: string;
  refund_key: string | null;
  created_at: string;
}

/** A transaction as the status API answers it, and as each notification carries it. */
export interface TransactionReport {
  transaction_id: string;
  order_id: string;
  /** A decimal string, "150000.00": parsed exactly, never as a float. */
  gross_amount: string;
  currency: string;
  payment_type: string;
  transaction_status: string;
  status_code: string;
  status_message: string;
  fraud_status?: string;
  transaction_time: string;
  /** Why a payment was denied (card declined, insufficient funds). */
  channel_response_message?: string;
  /** Every refund so far, oldest first (refund and partial_refund). */
  refunds?: GatewayRefund[];
  /** On a refund's own notification: which refund this notice is about. */
  refund_key?: string | null;
  refund_amount?: string;
  refund_chargeback_id?: string;
}

export interface PaymentNotification extends TransactionReport {
  signature_key: string;
}

export function signatureKey(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`).digest('hex');
}

/** Signs a report as the gateway does before sending it. */
export const signNotification = (report: TransactionReport, serverKey: string): PaymentNotification => ({
  ...report,
  signature_key: signatureKey(report.order_id, report.status_code, report.gross_amount, serverKey),
});

/** Constant-time check of a notification's signature_key, over the raw strings it was sent with. */
export function verifySignatureKey(
  n: { order_id: string; status_code: string; gross_amount: string; signature_key: string },
  serverKey: string,
): boolean {
  const expected = Buffer.from(signatureKey(n.order_id, n.status_code, n.gross_amount, serverKey), 'hex');
  const given = Buffer.from(n.signature_key, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A notification's identity: Midtrans sends no event id, so a transaction's move to a status is
 * the event (a refund's notice also names its refund). A redelivery is the same event however
 * often it comes; the gateway's delivery log uses the same id.
 */
export const notificationId = (n: {
  transaction_id: string;
  transaction_status: string;
  refund_key?: string | null;
  refund_chargeback_id?: string;
}) =>
  n.transaction_status === 'refund' || n.transaction_status === 'partial_refund'
    ? `${n.transaction_id}:${n.transaction_status}:${n.refund_key ?? n.refund_chargeback_id ?? ''}`
    : `${n.transaction_id}:${n.transaction_status}`;
