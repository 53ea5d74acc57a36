/** A shopper's shipments: the order's shipment and its tracking history. Anyone else's is a 404. */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { createRouter } from '../router';
import { errorResponses, IdParam, json } from '../schemas';
import { ShipmentSchema, toShipmentView, toTrackingEventView, TrackingEventSchema } from './views';

const tags = ['shipping'];

export const OrderIdParam = z.object({
  orderId: z
    .string()
    .uuid()
    .openapi({ param: { name: 'orderId', in: 'path' } }),
});

const routes = {
  byOrder: guarded('user', {
    method: 'get',
    path: '/shipments/{orderId}',
    tags,
    summary: "My order's shipment: carrier, airway bill, status",
    request: { params: OrderIdParam },
    responses: { 200: json(ShipmentSchema), ...errorResponses(400, 401, 404) },
  }),
  tracking: guarded('user', {
    method: 'get',
    path: '/shipments/{id}/tracking',
    tags,
    summary: "My shipment's tracking events, in journey order (duplicates from the carrier recorded once)",
    request: { params: IdParam },
    responses: {
      200: json(ShipmentSchema.extend({ events: z.array(TrackingEventSchema) }).openapi('ShipmentTracking')),
      ...errorResponses(400, 401, 404),
    },
  }),
};

export function shipmentRoutes(services: Services) {
  const app = createRouter();
  return app
    .openapi(routes.byOrder, async (c) => {
      const s = await services.shipments.getOwnByOrder(c.req.valid('param').orderId, c.get('user').sub);
      return c.json(toShipmentView(s), 200);
    })
    .openapi(routes.tracking, async (c) => {
      const s = await services.shipments.getOwnTracking(c.req.valid('param').id, c.get('user').sub);
      return c.json({ ...toShipmentView(s), events: s.tracking_events.map(toTrackingEventView) }, 200);
    });
}
