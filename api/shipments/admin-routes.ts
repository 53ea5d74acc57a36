/**
 * Operators' shipment views (admin only): shipments by status, the stuck ones (no tracking event
 * for SHIPMENT_STUCK_AFTER_SECONDS; the Web UI filter is `ShipmentStuck = true`), and a rebook
 * with the next carrier for a parcel not yet picked up.
 */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import { SHIPMENT_STATUSES } from '../../contracts/states';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import { createRouter } from '../router';
import { body, errorResponses, json } from '../schemas';
import { OrderIdParam } from './shipment-routes';
import { ShipmentSchema, toShipmentView } from './views';

const tags = ['shipping (admin)'];

export const AdminShipmentQuery = z.object({
  status: z.enum(SHIPMENT_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

const Page = z.object({ data: z.array(ShipmentSchema), page: z.number(), page_size: z.number(), total: z.number() });

const routes = {
  list: guarded('admin', {
    method: 'get',
    path: '/admin/shipments',
    tags,
    summary: 'Shipments, newest first, optionally in one status',
    request: { query: AdminShipmentQuery },
    responses: { 200: json(Page), ...errorResponses(400, 401, 403) },
  }),
  stuck: guarded('admin', {
    method: 'get',
    path: '/admin/shipments/stuck',
    tags,
    summary: 'Shipments flagged stuck: no tracking event for too long',
    request: { query: AdminShipmentQuery.omit({ status: true }) },
    responses: { 200: json(Page), ...errorResponses(400, 401, 403) },
  }),
  rebook: guarded('admin', {
    method: 'post',
    path: '/admin/shipments/{orderId}/rebook',
    tags,
    summary: "Rebook an order's parcel with the next carrier (only before pickup)",
    request: {
      params: OrderIdParam,
      body: body(z.strictObject({ reason: z.string().trim().min(1).max(255) }).openapi('RebookRequest')),
    },
    responses: {
      202: json(z.object({ order_id: z.string(), status: z.literal('rebooking') })),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
};

export function shipmentAdminRoutes(services: Services) {
  const app = createRouter();
  return app
    .openapi(routes.list, async (c) => {
      const { status, page, page_size } = c.req.valid('query');
      const { data, total } = await services.shipments.list({ status }, page, page_size);
      return c.json({ data: data.map(toShipmentView), page, page_size, total }, 200);
    })
    .openapi(routes.stuck, async (c) => {
      const { page, page_size } = c.req.valid('query');
      const { data, total } = await services.shipments.list({ stuck: true }, page, page_size);
      return c.json({ data: data.map(toShipmentView), page, page_size, total }, 200);
    })
    .openapi(routes.rebook, async (c) => {
      const { orderId } = c.req.valid('param');
      const shipment = await services.shipments.latestForOrder(orderId);
      if (!shipment) throw new AppError('not_found', 'this order has no shipment');
      if (!['pending', 'booked'].includes(shipment.status)) {
        throw new AppError('conflict', `a shipment that is ${shipment.status} cannot be rebooked`, {
          status: shipment.status,
        });
      }
      // The reason is free text: kept with the shipment first, the workflow told the rebook's id only.
      const rebookId = await services.shipments.recordRebook(shipment.id, c.req.valid('json').reason);
      await services.shipmentWorkflows.rebook(orderId, rebookId);
      return c.json({ order_id: orderId, status: 'rebooking' as const }, 202);
    });
}
