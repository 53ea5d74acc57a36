/** The signed-in shopper's cart. */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { createRouter } from '../router';
import { body, errorResponses, json } from '../schemas';

export const CartSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        product_id: z.string().uuid(),
        name: z.string(),
        unit_price: z.string(),
        quantity: z.number().int(),
        line_total: z.string(),
        available: z.number().int(),
        status: z.string(),
        weight_grams: z.number().int(),
      }),
    ),
    item_count: z.number().int(),
    subtotal: z.string(),
  })
  .openapi('Cart');

const quantity = z.number().int().min(1).max(1000);
export const AddItemBody = z.strictObject({ product_id: z.string().uuid(), quantity }).openapi('AddCartItem');
export const SetQuantityBody = z.strictObject({ quantity }).openapi('SetCartQuantity');
const ItemParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, description: 'the product id' }),
});

const tags = ['cart'];

const routes = {
  get: guarded('user', {
    method: 'get',
    path: '/cart',
    tags,
    summary: 'My cart with current prices and stock',
    responses: { 200: json(CartSchema), ...errorResponses(401) },
  }),
  add: guarded('user', {
    method: 'post',
    path: '/cart/items',
    tags,
    summary: 'Add a product (adds to the quantity if it is already there)',
    request: { body: body(AddItemBody) },
    responses: { 201: json(CartSchema, 'added'), ...errorResponses(400, 401, 404, 409) },
  }),
  set: guarded('user', {
    method: 'patch',
    path: '/cart/items/{id}',
    tags,
    summary: 'Change the quantity of a cart line',
    request: { params: ItemParam, body: body(SetQuantityBody) },
    responses: { 200: json(CartSchema), ...errorResponses(400, 401, 404, 409) },
  }),
  remove: guarded('user', {
    method: 'delete',
    path: '/cart/items/{id}',
    tags,
    summary: 'Remove a cart line',
    request: { params: ItemParam },
    responses: { 204: { description: 'removed' }, ...errorResponses(400, 401, 404) },
  }),
  clear: guarded('user', {
    method: 'delete',
    path: '/cart',
    tags,
    summary: 'Empty my cart',
    responses: { 204: { description: 'emptied' }, ...errorResponses(401) },
  }),
};

export function cartRoutes(services: Services) {
  const { cart } = services;
  const app = createRouter();

  return app
    .openapi(routes.get, async (c) => c.json(await cart.view(c.get('user').sub), 200))
    .openapi(routes.add, async (c) => {
      const { product_id, quantity } = c.req.valid('json');
      return c.json(await cart.add(c.get('user').sub, product_id, quantity), 201);
    })
    .openapi(routes.set, async (c) =>
      c.json(await cart.setQuantity(c.get('user').sub, c.req.valid('param').id, c.req.valid('json').quantity), 200),
    )
    .openapi(routes.remove, async (c) => {
      await cart.remove(c.get('user').sub, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi(routes.clear, async (c) => {
      await cart.clear(c.get('user').sub);
      return c.body(null, 204);
    });
}
