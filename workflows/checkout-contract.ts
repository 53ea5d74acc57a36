/**
 * What the outside world needs to talk to a checkout saga: its input, signals, query and
 * result. Kept apart from the workflow body so the API imports no workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export type ShippingServiceName = 'regular' | 'express';

export interface CheckoutInput {
  orderId: string;
  orderNumber: string;
  userId: string;
  addressId: string;
  shippingService: ShippingServiceName;
  paymentExpirySeconds: number;
  /**
   * Cash on delivery: nothing to wait for. Once the stock is taken the order is confirmed and
   * shipped; the courier collects at the door. Absent in checkouts started before COD.
   */
  cashOnDelivery?: boolean;
  /** Voucher codes to claim once shipping is quoted (issue 22). Absent when none were given. */
  voucherCodes?: string[];
}

export type CheckoutStep =
  | 'validating_cart'
  | 'creating_order'
  | 'reserving_stock'
  | 'quoting_shipping'
  | 'claiming_vouchers'
  | 'creating_payment'
  | 'awaiting_payment'
  | 'completing'
  | 'compensating'
  | 'paid'
  /** Cash on delivery: confirmed without a payment, shipped, paid at the door. */
  | 'confirmed'
  | 'cancelled';

export interface CheckoutState {
  step: CheckoutStep;
  order_id: string;
  order_number: string;
  amount?: {
    subtotal: string;
    shipping_amount: string;
    /** What vouchers took off the lines and the shipping (present when codes were given). */
    discount_amount?: string;
    shipping_discount?: string;
    total_amount: string;
    currency: 'IDR';
  };
  payment_expires_at?: string;
  /** Why it was cancelled: a business failure's code, or expired / cancelled / payment_failed. */
  failure?: { code: string; message: string; details?: unknown };
  compensation_errors?: string[];
}

export interface PaymentResult {
  status: 'succeeded' | 'failed';
  event_id: string;
  reason?: string;
}

export const paymentResultSignal = defineSignal<[PaymentResult]>('paymentResult');
export const cancelCheckoutSignal = defineSignal<[{ reason: string }]>('cancelCheckout');
export const checkoutStateQuery = defineQuery<CheckoutState>('checkoutState');
/** Answers once the shopper has an answer (pay now, paid, or cancelled): one long poll, no query storm. */
export const waitUntilSettledUpdate = defineUpdate<CheckoutState>('waitUntilSettled');

export const SETTLED_STEPS: CheckoutStep[] = ['awaiting_payment', 'paid', 'confirmed', 'cancelled'];

/** Workflow ids from business keys: one checkout per (user, Idempotency-Key). */
export const checkoutWorkflowId = (userId: string, idempotencyKey: string) => `checkout:${userId}:${idempotencyKey}`;
