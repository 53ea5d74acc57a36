/** Schemas of the checkout and order routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { ORDER_STATUSES } from '../../contracts/states';

export const CheckoutBody = z
  .strictObject({
    address_id: z.string().uuid(),
    shipping_service: z.enum(['regular', 'express']).default('regular'),
  })
  .openapi('CheckoutRequest');

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string({ error: 'send an Idempotency-Key header' })
    .regex(/^[A-Za-z0-9_-]{8,100}$/, '8 to 100 letters, digits, _ or -')
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, example: 'c0ffee00-4f1a-4d2b-9a77-checkout' }),
});

const Money = z.string().openapi({ example: '125000.00' });

export const CheckoutAccepted = z
  .object({
    order_id: z.string().uuid(),
    order_number: z.string(),
    status: z.string(),
    amount: z
      .object({ subtotal: Money, shipping_amount: Money, total_amount: Money, currency: z.literal('IDR') })
      .optional(),
    payment: z
      .object({
        expires_at: z.string().optional(),
        confirm: z.string(),
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
    total_amount: Money,
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
