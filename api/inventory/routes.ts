/** Service-to-service stock routes: reserve, release, deduct. Never callable with a shopper's token. */
import { createRouter } from '../router';
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { AvailabilitySchema } from '../products/schemas';
import { body, errorResponses, json } from '../schemas';

const orderId = z.string().trim().min(1).max(100).openapi({ example: 'b0c8d1e4-order' });

export const ReserveBody = z
  .strictObject({
    order_id: orderId,
    items: z
      .array(z.strictObject({ product_id: z.string().uuid(), quantity: z.number().int().min(1).max(1000) }))
      .min(1)
      .max(100)
      .refine((items) => new Set(items.map((i) => i.product_id)).size === items.length, 'each product once'),
  })
  .openapi('ReserveRequest');

export const OrderRefBody = z.strictObject({ order_id: orderId }).openapi('OrderRef');

const ReservationSchema = z.object({
  product_id: z.string().uuid(),
  quantity: z.number(),
  status: z.string(),
});

const tags = ['inventory (service-to-service)'];
const post = (path: string, summary: string) => ({ method: 'post' as const, path, tags, summary });

const routes = {
  reserve: guarded('service', {
    ...post('/inventory/reserve', 'Reserve stock for an order, all lines or none; a retry has no second effect'),
    request: { body: body(ReserveBody) },
    responses: {
      200: json(z.object({ order_id: z.string(), reservations: z.array(ReservationSchema) })),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  release: guarded('service', {
    ...post('/inventory/release', "Release an order's reserved stock (idempotent)"),
    request: { body: body(OrderRefBody) },
    responses: { 200: json(z.object({ released: z.array(AvailabilitySchema) })), ...errorResponses(400, 401, 403) },
  }),
  deduct: guarded('service', {
    ...post('/inventory/deduct', "Deduct an order's reserved stock for good (idempotent)"),
    request: { body: body(OrderRefBody) },
    responses: { 200: json(z.object({ deducted: z.array(AvailabilitySchema) })), ...errorResponses(400, 401, 403) },
  }),
};

export function inventoryRoutes(services: Services) {
  const { inventory } = services;
  const app = createRouter();

  return app
    .openapi(routes.reserve, async (c) => {
      const { order_id, items } = c.req.valid('json');
      return c.json({ order_id, reservations: await inventory.reserve(order_id, items) }, 200);
    })
    .openapi(routes.release, async (c) =>
      c.json({ released: await inventory.release(c.req.valid('json').order_id) }, 200),
    )
    .openapi(routes.deduct, async (c) =>
      c.json({ deducted: await inventory.deduct(c.req.valid('json').order_id) }, 200),
    );
}
