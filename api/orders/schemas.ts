/** Schemas of the checkout and order routes (exported for tests). */
import { normalizeCode } from '../../services/promotions/codes';
import { z } from '@hono/zod-openapi';
import { ORDER_STATUSES } from '../../contracts/states';
import { EWALLET_PROVIDERS, VA_BANKS } from '../../contracts/payment-methods';

/** An Indonesian mobile number (08..., 628..., +628...), kept as +628...: OVO pushes to it. */
const IndonesianMobile = z
  .string()
  .max(20)
  .regex(/^(\+62|62|0)8[1-9]\d{6,10}$/, 'an Indonesian mobile number such as 081234567890 or +6281234567890')
  .transform((p) => `+62${p.replace(/^(\+62|62|0)/, '')}`);

export const PaymentMethodBody = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('card') }),
    z.strictObject({ type: z.literal('bank_transfer'), bank: z.enum(VA_BANKS) }),
    z.strictObject({ type: z.literal('qris') }),
    z
      .strictObject({
        type: z.literal('ewallet'),
        provider: z.enum(EWALLET_PROVIDERS),
        phone: IndonesianMobile.optional(),
      })
      .refine((m) => m.provider !== 'ovo' || m.phone !== undefined, {
        message: 'OVO pushes the payment to a phone: send phone',
        path: ['phone'],
      }),
    z.strictObject({ type: z.literal('cod') }),
  ])
  .openapi('PaymentMethod', {
    description:
      'card (the default), bank_transfer (a virtual account at the bank), qris, ewallet (gopay, dana, shopeepay by redirect; ovo by a push to phone), or cod (cash to the courier at the door)',
  });

export const CheckoutBody = z
  .strictObject({
    address_id: z.string().uuid(),
    shipping_service: z.enum(['regular', 'express']).default('regular'),
    payment_method: PaymentMethodBody.default({ type: 'card' }),
    /** At most one shipping and one discount voucher (the claim step refuses more, naming why). */
    voucher_codes: z
      .array(
        z
          .string()
          .max(40)
          .refine((c) => normalizeCode(c) !== null, 'a voucher code: 10 to 20 letters and digits'),
      )
      .max(2)
      .optional()
      .openapi({
        description:
          'voucher codes to claim for this order (any case); a refused one cancels the checkout with its reason',
      }),
  })
  .openapi('CheckoutRequest');

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string({ error: 'send an Idempotency-Key header' })
    .regex(/^[A-Za-z0-9_-]{8,100}$/, '8 to 100 letters, digits, _ or -')
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, example: 'c0ffee00-4f1a-4d2b-9a77-checkout' }),
});

const Money = z.string().openapi({ example: '125000.00' });

export const PaymentInstructionsSchema = z
  .object({
    bank: z.string().optional(),
    va_number: z.string().optional(),
    qr_string: z.string().optional(),
    qr_id: z.string().optional(),
    redirect_url: z.string().optional(),
    deeplink: z.string().optional(),
    push_sent_to: z.string().optional(),
    cash_on_delivery: z
      .object({ amount: Money })
      .optional()
      .openapi({ description: 'cod: the amount the courier collects in cash at the door' }),
    expires_at: z.string().optional(),
  })
  .openapi('PaymentInstructions');

export const CheckoutAccepted = z
  .object({
    order_id: z.string().uuid(),
    order_number: z.string(),
    status: z.string(),
    amount: z
      .object({
        subtotal: Money,
        shipping_amount: Money,
        discount_amount: Money.optional().openapi({ description: 'what the vouchers took off the lines' }),
        shipping_discount: Money.optional().openapi({ description: 'what a shipping voucher took off the shipping' }),
        total_amount: Money,
        currency: z.literal('IDR'),
      })
      .optional(),
    payment: z
      .object({
        method: z.string().openapi({ example: 'bank_transfer' }),
        /** Pay by then: the gateway stops accepting, and the order's stock is released. */
        expires_at: z.string().optional(),
        instructions: PaymentInstructionsSchema.optional(),
        confirm: z.string().optional(),
        test_cards: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    workflow_id: z.string(),
  })
  .openapi('CheckoutAccepted');

export const OrderSchema = z
  .object({
    id: z.string().uuid(),
    order_number: z.string(),
    user_id: z.string().uuid(),
    status: z.enum(ORDER_STATUSES),
    subtotal: Money,
    shipping_amount: Money,
    discount_amount: Money.openapi({ description: "what the order's vouchers took off its lines" }),
    shipping_discount: Money.openapi({ description: 'what a shipping voucher took off the shipping' }),
    total_amount: Money.openapi({ description: 'subtotal + shipping - discount - shipping discount: what is paid' }),
    shipping_service: z.string().nullable(),
    shipping_address: z.record(z.string(), z.unknown()),
    cancel_reason: z.string().nullable(),
    items: z.array(
      z.object({
        id: z.string().uuid(),
        product_id: z.string().uuid(),
        product_name: z.string(),
        unit_price: Money,
        quantity: z.number().int(),
        total_amount: Money,
      }),
    ),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Order');

export const OrderListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(50).default(10),
});
