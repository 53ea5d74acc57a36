/** The shopper's orders: list, detail, cancel. Another user's order is a 404. */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { complaintView } from '../../services/orders/complaints';
import { ComplaintSchema } from '../complaints/schemas';
import { createRouter } from '../router';
import { errorResponses, IdParam, json } from '../schemas';
import { OrderListQuery, OrderSchema } from './schemas';
import { toOrderView } from './views';
import { OrderShipmentSchema, toOrderShipmentView } from '../shipments/views';

const tags = ['orders'];

const routes = {
  list: guarded('user', {
    method: 'get',
    path: '/orders',
    tags,
    summary: 'My orders, newest first',
    request: { query: OrderListQuery },
    responses: {
      200: json(z.object({ data: z.array(OrderSchema), page: z.number(), page_size: z.number(), total: z.number() })),
      ...errorResponses(400, 401),
    },
  }),
  get: guarded('user', {
    method: 'get',
    path: '/orders/{id}',
    tags,
    summary: 'One of my orders, with its shipment and the latest tracking event once it ships',
    request: { params: IdParam },
    responses: {
      200: json(
        OrderSchema.extend({ shipment: OrderShipmentSchema.nullable(), complaint: ComplaintSchema.nullable() }).openapi(
          'OrderDetail',
        ),
      ),
      ...errorResponses(400, 401, 404),
    },
  }),
  cancel: guarded('user', {
    method: 'post',
    path: '/orders/{id}/cancel',
    tags,
    summary:
      'Cancel: a pending order is undone by its saga; a paid one not yet picked up by the courier has its booking cancelled, then is refunded and restocked (409 already_picked_up after pickup)',
    request: { params: IdParam },
    responses: {
      202: json(
        z.object({ order_id: z.string(), status: z.enum(['cancelling', 'refunding']), workflow_id: z.string() }),
      ),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
};

export function orderRoutes(services: Services) {
  const { orders, cancellation } = services;
  const app = createRouter();

  return app
    .openapi(routes.list, async (c) => {
      const { page, page_size } = c.req.valid('query');
      const { data, total } = await orders.listOwn(c.get('user').sub, page, page_size);
      return c.json({ data: data.map(toOrderView), page, page_size, total }, 200);
    })
    .openapi(routes.get, async (c) => {
      const order = await orders.getOwn(c.req.valid('param').id, c.get('user').sub);
      const shipment = toOrderShipmentView(await services.shipments.latestForOrder(order.id));
      // The order's complaint, if it has one (its own routes carry the actions).
      const complaint = await services.complaints.getByOrder(order.id);
      return c.json({ ...toOrderView(order), shipment, complaint: complaint ? complaintView(complaint) : null }, 200);
    })
    .openapi(routes.cancel, async (c) => {
      const order = await orders.getOwn(c.req.valid('param').id, c.get('user').sub);
      return c.json(await cancellation.cancel(order, 'shopper', 'cancelled by the shopper before pickup'), 202);
    });
}
