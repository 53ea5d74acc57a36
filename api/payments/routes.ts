/**
 * Payments: the shopper's intent and card confirmation, the gateway's webhook, payment status,
 * and operator refunds. The webhook is the only way a payment result enters Pasar.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Transaction } from '../../generated/prisma/client';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import type { GatewayWebhook } from '../../services/payments/webhook-rules';
import { SIGNATURE_HEADER, verifyWebhook } from '../../contracts/webhook-signature/gateway';
import { businessMetrics } from '../../platform/metrics/business';
import { createRouter } from '../router';
import { body, errorResponses, json } from '../schemas';

const PaymentSchema = z
  .object({
    id: z.string().uuid(),
    order_id: z.string().uuid(),
    gateway: z.string(),
    gateway_transaction_id: z.string().nullable(),
    amount: z.string(),
    currency: z.string(),
    status: z.string(),
    refund_reason: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Payment');

const toView = (t: Transaction) => ({
  id: t.id,
  order_id: t.order_id,
  gateway: t.gateway,
  gateway_transaction_id: t.gateway_transaction_id,
  amount: t.amount.toFixed(2),
  currency: t.currency,
  status: t.status,
  refund_reason: t.refund_reason,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

const orderId = z.string().uuid();
export const ConfirmBody = z
  .strictObject({ order_id: orderId, card_number: z.string().regex(/^\d{12,19}$/, '12 to 19 digits') })
  .openapi('ConfirmPayment');
const WebhookBody = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(100),
  data: z.object({
    intent_id: z.string().min(1).max(255),
    reference: z.string().uuid(),
    amount: z.string().regex(/^\d{1,15}(\.\d{1,2})?$/, 'a decimal amount'),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code'),
    status: z.string().max(50),
    failure_reason: z.string().nullable().optional(),
    /** On refund.* events: the gateway's refund, what it returned, and our refund's id (reference). */
    refund_id: z.string().min(1).max(255).optional(),
    refund_amount: z
      .string()
      .regex(/^\d{1,15}(\.\d{1,2})?$/, 'a decimal amount')
      .optional(),
    refund_reference: z.string().uuid().nullable().optional(),
  }),
});

const tags = ['payments'];

const routes = {
  intent: guarded('user', {
    method: 'post',
    path: '/payments/intent',
    tags,
    summary: "My order's payment intent (created by the checkout saga)",
    request: { body: body(z.strictObject({ order_id: orderId }).openapi('PaymentIntentRequest')) },
    responses: { 200: json(PaymentSchema), ...errorResponses(400, 401, 404) },
  }),
  confirm: guarded('user', {
    method: 'post',
    path: '/payments/confirm',
    tags,
    summary: 'Pay with a card: forwarded to the gateway; the result arrives by webhook',
    request: { body: body(ConfirmBody) },
    responses: { 202: json(PaymentSchema, 'processing'), ...errorResponses(400, 401, 404, 409) },
  }),
  webhook: createRoute({
    method: 'post',
    path: '/payments/webhook',
    tags,
    summary: 'Gateway webhook: HMAC-signed, deduplicated by event id, applied exactly once',
    responses: {
      200: json(
        z.object({
          received: z.literal(true),
          duplicate: z.boolean(),
          outcome: z.enum(['applied', 'ignored', 'refused']),
        }),
        'recorded; "refused" when it did not match the payment it names, "ignored" for an unknown type',
      ),
      ...errorResponses(400, 401, 404),
    },
  }),
  get: guarded('user', {
    method: 'get',
    path: '/payments/{orderId}',
    tags,
    summary: "My order's payment status",
    request: { params: z.object({ orderId: orderId.openapi({ param: { name: 'orderId', in: 'path' } }) }) },
    responses: { 200: json(PaymentSchema), ...errorResponses(400, 401, 404) },
  }),
  refund: guarded('admin', {
    method: 'post',
    path: '/refunds',
    tags: ['payments (admin)'],
    summary:
      'Refund a paid order the courier has not picked up (operator): booking withdrawn, money back, stock back, order refunded; 409 naming why otherwise',
    request: {
      body: body(z.strictObject({ order_id: orderId, reason: z.string().min(1).max(255) }).openapi('RefundRequest')),
    },
    responses: {
      202: json(z.object({ order_id: z.string(), workflow_id: z.string() })),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
};

export function paymentRoutes(services: Services, payments: Config['payments']) {
  const app = createRouter();

  async function ownPayment(orderId: string, userId: string) {
    await services.orders.getOwn(orderId, userId); // 404 for anyone else's order
    const txn = await services.payments.get(orderId);
    if (!txn) throw new AppError('not_found', 'this order has no payment yet');
    return txn;
  }

  return app
    .openapi(routes.intent, async (c) =>
      c.json(toView(await ownPayment(c.req.valid('json').order_id, c.get('user').sub)), 200),
    )
    .openapi(routes.confirm, async (c) => {
      const { order_id, card_number } = c.req.valid('json');
      await ownPayment(order_id, c.get('user').sub);
      return c.json(toView(await services.payments.confirm(order_id, c.get('user').sub, card_number)), 202);
    })
    .openapi(routes.get, async (c) =>
      c.json(toView(await ownPayment(c.req.valid('param').orderId, c.get('user').sub)), 200),
    )
    .openapi(routes.webhook, async (c) => {
      const raw = await c.req.text();
      const check = verifyWebhook(payments.webhookSecret, raw, c.req.header(SIGNATURE_HEADER));
      if (!check.ok) businessMetrics.webhookRejected(check.reason);
      if (!check.ok) throw new AppError('unauthorized', `webhook rejected: ${check.reason}`);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new AppError('validation_failed', 'webhook body is not JSON');
      }
      const parsed = WebhookBody.safeParse(json);
      if (!parsed.success) {
        throw new AppError(
          'validation_failed',
          'malformed webhook payload',
          parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        );
      }
      const event = parsed.data as GatewayWebhook;
      const outcome = await services.settlement.receive(event, 'webhook');
      return c.json({ received: true as const, duplicate: outcome.duplicate, outcome: outcome.outcome }, 200);
    })
    .openapi(routes.refund, async (c) => {
      const { order_id, reason } = c.req.valid('json');
      const order = await services.orders.get(order_id);
      if (!order) throw new AppError('not_found', 'order not found');
      // The order's owner decides: its shipment withdraws the booking first, or refuses once picked up.
      const verdict = await services.cancellation.cancel(order, 'operator', reason);
      return c.json({ order_id, workflow_id: verdict.workflow_id }, 202);
    });
}
