/**
 * Payments: the shopper's intent and card confirmation, the gateway's notifications, payment
 * status, and operator refunds. A notification is the only way a payment result enters Pasar
 * (reconciliation reads the same facts from the gateway's status API).
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
import { createNotificationIntake } from '../../services/payments/notification-intake';
import type { PaymentNotification } from '../../contracts/payment-notification';
import { createRouter } from '../router';
import { body, errorResponses, json, nameText } from '../schemas';
import { REFUND_BANKS } from '../../services/payments/refund-channel';
import { PaymentInstructionsSchema, PaymentMethodBody } from '../orders/schemas';
import { expiryFor, methodsFor } from '../../services/payments/methods';
import { quoteFor } from '../../services/shipments/rates';
import { Prisma } from '../../generated/prisma/client';

const PaymentSchema = z
  .object({
    id: z.string().uuid(),
    order_id: z.string().uuid(),
    gateway: z.string(),
    gateway_transaction_id: z
      .string()
      .nullable()
      .openapi({
        description: "the gateway's transaction; for cod, the parcel's airway bill once the cash is collected",
      }),
    amount: z.string(),
    currency: z.string(),
    status: z.string().openapi({
      description:
        'cod: pending until the courier collects, then success; not_collected when the parcel came back or never left',
    }),
    refund_reason: z.string().nullable(),
    method: z.string().openapi({ example: 'bank_transfer' }),
    method_detail: z.string().nullable().openapi({ description: 'the bank or the e-wallet provider' }),
    instructions: PaymentInstructionsSchema.nullable(),
    expires_at: z.string().nullable().openapi({ description: 'when the gateway stops accepting this payment' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Payment');

const MethodOfferSchema = z
  .object({
    type: z.string(),
    available: z.boolean(),
    reason: z
      .string()
      .optional()
      .openapi({
        description:
          'why not: cart_empty, above_qris_limit; for cod: above_cod_limit, cod_refused_before, cod_not_offered_here',
      }),
    banks: z.array(z.string()).optional(),
    providers: z.array(z.string()).optional(),
    expiry_seconds: z.number().int().optional(),
  })
  .openapi('PaymentMethodOffer');

const toView = (t: Transaction) => ({
  id: t.id,
  order_id: t.order_id,
  gateway: t.gateway,
  gateway_transaction_id: t.gateway_transaction_id,
  amount: t.amount.toFixed(2),
  currency: t.currency,
  status: t.status,
  refund_reason: t.refund_reason,
  method: t.method,
  method_detail: t.method_detail,
  instructions: (t.instructions ?? null) as z.infer<typeof PaymentInstructionsSchema> | null,
  expires_at: t.expires_at?.toISOString() ?? null,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

const orderId = z.string().uuid();
export const ConfirmBody = z
  .strictObject({ order_id: orderId, card_number: z.string().regex(/^\d{12,19}$/, '12 to 19 digits') })
  .openapi('ConfirmPayment');
const decimal = z.string().regex(/^\d{1,15}(\.\d{1,2})?$/, 'a decimal string such as "150000.00"');
/** A Midtrans-model notification (contracts/payment-notification.ts); fields Pasar does not read are dropped. */
const NotificationBody = z.object({
  transaction_id: z.string().min(1).max(255),
  order_id: z.string().uuid(),
  gross_amount: decimal,
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code')
    .default('IDR'),
  payment_type: z.string().min(1).max(50),
  transaction_status: z.string().min(1).max(50),
  status_code: z.string().regex(/^\d{3}$/, 'a three-digit code'),
  status_message: z.string().max(255).default(''),
  signature_key: z.string().regex(/^[0-9a-fA-F]{128}$/, 'a hex SHA-512'),
  fraud_status: z.string().max(50).optional(),
  transaction_time: z.string().max(50).default(''),
  channel_response_message: z.string().max(255).optional(),
  refund_key: z.string().uuid().nullable().optional(),
  refund_amount: decimal.optional(),
  refund_chargeback_id: z.string().min(1).max(255).optional(),
});
/** The retired scheme (HMAC in X-Gateway-Signature), accepted only until PAYMENT_LEGACY_WEBHOOK_UNTIL. */
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
    summary:
      'Gateway notification (Midtrans model): signature_key checked, status confirmed with the gateway, applied exactly once',
    description:
      "Body: a notification with transaction_status (pending, capture, settlement, deny, cancel, expire, refund, partial_refund), status_code, gross_amount as a decimal string, order_id, transaction_id, payment_type, fraud_status and signature_key = SHA-512(order_id + status_code + gross_amount + server key). 401 when the signature, the status_code or the gateway's status API disagree; 503 when the status API cannot be reached (the gateway sends it again). The retired HMAC-header scheme (X-Gateway-Signature) is accepted until PAYMENT_LEGACY_WEBHOOK_UNTIL, then answered 410.",
    responses: {
      200: json(
        z.object({
          received: z.literal(true),
          duplicate: z.boolean(),
          outcome: z.enum(['applied', 'ignored', 'refused']),
        }),
        'recorded; "refused" when it did not match the payment it names, "ignored" for an unknown type',
      ),
      ...errorResponses(400, 401, 404, 503),
      410: json(z.object({ error: z.object({ code: z.literal('gone'), message: z.string() }) }), 'the retired scheme'),
    },
  }),
  methods: guarded('user', {
    method: 'get',
    path: '/payments/methods',
    tags,
    summary: 'The payment methods I may use for my cart now, with the reason for each I may not',
    description:
      'Cash on delivery depends on where the parcel goes and what it costs to ship: give address_id (one of mine) and shipping_service to have the destination and the total with shipping judged, as checkout will; without them only the subtotal against the COD limit and my refused parcels are.',
    request: {
      query: z.object({
        address_id: z.string().uuid().optional(),
        shipping_service: z.enum(['regular', 'express']).optional(),
      }),
    },
    responses: {
      200: json(z.object({ subtotal: z.string(), methods: z.array(MethodOfferSchema) })),
      ...errorResponses(400, 401, 404),
    },
  }),
  switchMethod: guarded('user', {
    method: 'post',
    path: '/payments/{orderId}/method',
    tags,
    summary: 'Pay my unpaid order another way: the old payment is cancelled at the gateway, a new one issued',
    description:
      "Same order, same reservation: the stock stays held. The new method's instructions expire at its own expiry or the order's deadline, whichever comes first: a switch never holds the stock longer. 409 once the payment is under way or made. Cash on delivery is chosen at checkout only: switching to cod is a 400 naming payment_method.type, and a cash-on-delivery order cannot be switched (409).",
    request: {
      params: z.object({ orderId: orderId.openapi({ param: { name: 'orderId', in: 'path' } }) }),
      body: body(z.strictObject({ payment_method: PaymentMethodBody }).openapi('SwitchPaymentMethod')),
    },
    responses: { 200: json(PaymentSchema), ...errorResponses(400, 401, 404, 409) },
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

const refundRoutes = {
  refundAccount: guarded('user', {
    method: 'post',
    path: '/payments/{orderId}/refund-account',
    tags,
    summary: 'Give the bank account the manual refund of my order (virtual account, COD) is transferred to',
    description:
      'A virtual account or cash on delivery cannot be refunded through the gateway (nor a part of a ShopeePay payment): an operator transfers the money to this account. Kept by the payments service only, shown back with the last four digits. 404 for an order that is not mine; 409 refund_account_not_needed for an order whose refunds go back through the gateway (card, QRIS, other e-wallets), already_transferred once the transfer was made.',
    request: {
      params: z.object({ orderId: orderId.openapi({ param: { name: 'orderId', in: 'path' } }) }),
      body: body(
        z
          .strictObject({
            bank_code: z.enum(REFUND_BANKS),
            account_number: z.string().regex(/^\d{6,20}$/, 'must be 6 to 20 digits'),
            holder_name: nameText(100),
          })
          .openapi('RefundAccount'),
      ),
    },
    responses: {
      200: json(
        z
          .object({
            order_id: z.string(),
            bank_code: z.string(),
            account_number_last4: z.string(),
            holder_name: z.string(),
          })
          .openapi('RefundAccountView'),
      ),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  transferred: guarded('admin', {
    method: 'post',
    path: '/admin/refunds/{id}/transferred',
    tags: ['payments (admin)'],
    summary: "Mark a manual refund transferred to the shopper's bank account (operator): the refund is done",
    description:
      "The payment is refunded once all of it is back (payment.refunded). Idempotent. 409 for a gateway refund (not_a_manual_refund) or while the shopper has given no account (no_refund_account).",
    request: { params: z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
    responses: {
      200: json(
        z.object({ id: z.string(), order_id: z.string(), amount: z.string(), status: z.string(), channel: z.string() }),
      ),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
};

export function paymentRoutes(services: Services, payments: Config['payments']) {
  const app = createRouter();
  const intake = createNotificationIntake(services, payments.serverKey);

  /** The retired scheme: still believed for in-flight deliveries until its window ends, then 410. */
  async function legacyWebhook(raw: string, header: string) {
    if (Date.now() >= payments.legacyWebhookUntil.getTime())
      throw new AppError('gone', 'this webhook scheme is retired: the gateway sends Midtrans-model notifications');
    const check = verifyWebhook(payments.webhookSecret, raw, header);
    if (!check.ok) businessMetrics.webhookRejected(check.reason);
    if (!check.ok) throw new AppError('unauthorized', `webhook rejected: ${check.reason}`);
    const parsed = WebhookBody.safeParse(parseJson(raw));
    if (!parsed.success) throw invalid(parsed.error, 'malformed webhook payload');
    return services.settlement.receive(parsed.data as GatewayWebhook, 'webhook');
  }

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
    .openapi(routes.methods, async (c) => {
      const userId = c.get('user').sub;
      const { address_id, shipping_service } = c.req.valid('query');
      const cart = await services.cart.view(userId);
      const subtotal = new Prisma.Decimal(cart.subtotal);
      // Another shopper's address is a 404, as everywhere.
      const address = address_id ? await services.users.getAddress(userId, address_id) : undefined;
      const service = shipping_service ?? 'regular';
      // With an address the shipping is known too: COD's limit is judged on the total, as at checkout.
      const shipping = address
        ? quoteFor(
            service,
            address,
            cart.items.reduce((w, l) => w + l.weight_grams * l.quantity, 0),
          ).cost
        : '0';
      const codRefusal = await services.payments.cod.refusal({
        userId,
        total: subtotal.add(shipping),
        ...(address ? { provinceName: address.province_name, service } : {}),
      });
      return c.json({ subtotal: cart.subtotal, methods: methodsFor(subtotal, payments, codRefusal) }, 200);
    })
    .openapi(routes.switchMethod, async (c) => {
      const userId = c.get('user').sub;
      const id = c.req.valid('param').orderId;
      const method = c.req.valid('json').payment_method;
      const order = await services.orders.getOwn(id, userId); // 404 for anyone else's order
      if (method.type === 'cod')
        throw new AppError('validation_failed', 'cash on delivery is chosen at checkout, not switched to', [
          { field: 'payment_method.type', message: 'cod cannot be switched to: choose it at checkout' },
        ]);
      const deadline =
        order.status === 'pending' && order.workflow_id
          ? await services.checkout.paymentDeadline(order.workflow_id)
          : undefined;
      const left = deadline ? Math.floor((deadline.getTime() - Date.now()) / 1000) : 0;
      if (left < 5)
        throw new AppError('conflict', 'this order is no longer waiting for a payment', {
          reason: 'not_awaiting_payment',
        });
      const txn = await services.payments.switchMethod(id, userId, method, Math.min(expiryFor(method, payments), left));
      return c.json(toView(txn), 200);
    })
    .openapi(routes.get, async (c) =>
      c.json(toView(await ownPayment(c.req.valid('param').orderId, c.get('user').sub)), 200),
    )
    .openapi(routes.webhook, async (c) => {
      const raw = await c.req.text();
      const legacy = c.req.header(SIGNATURE_HEADER);
      if (legacy !== undefined) {
        const outcome = await legacyWebhook(raw, legacy);
        return c.json({ received: true as const, duplicate: outcome.duplicate, outcome: outcome.outcome }, 200);
      }
      const json = parseJson(raw);
      // Unsigned is unauthenticated, whatever else is wrong with it; a signed body is then checked field by field.
      if (typeof (json as { signature_key?: unknown } | null)?.signature_key !== 'string') {
        businessMetrics.webhookRejected('missing or malformed signature');
        throw new AppError('unauthorized', 'webhook rejected: missing signature_key');
      }
      const parsed = NotificationBody.safeParse(json);
      if (!parsed.success) throw invalid(parsed.error, 'malformed notification');
      const outcome = await intake.receive(parsed.data as PaymentNotification);
      return c.json({ received: true as const, duplicate: outcome.duplicate, outcome: outcome.outcome }, 200);
    })
    .openapi(routes.refund, async (c) => {
      const { order_id, reason } = c.req.valid('json');
      const order = await services.orders.get(order_id);
      if (!order) throw new AppError('not_found', 'order not found');
      // The order's owner decides: its shipment withdraws the booking first, or refuses once picked up.
      const verdict = await services.cancellation.cancel(order, 'operator', reason);
      return c.json({ order_id, workflow_id: verdict.workflow_id }, 202);
    })
    .openapi(refundRoutes.refundAccount, async (c) => {
      const account = c.req.valid('json');
      const view = await services.payments.refunds.giveAccount(c.req.valid('param').orderId, c.get('user').sub, account);
      return c.json(view, 200);
    })
    .openapi(refundRoutes.transferred, async (c) => {
      const refund = await services.payments.refunds.markTransferred(c.req.valid('param').id, c.get('user').sub);
      const { refunded_total: _total, ...view } = refund;
      return c.json(view, 200);
    });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('validation_failed', 'the body is not JSON');
  }
}

const invalid = (error: z.ZodError, message: string) =>
  new AppError(
    'validation_failed',
    message,
    error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  );
