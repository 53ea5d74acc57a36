/** Catalog routes: public browsing, and admin-only product and stock writes. */
import { createRouter } from '../router';
import { createRoute, z } from '@hono/zod-openapi';
import { guarded } from '../access';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import type { ViewRecorder } from '../recommendations/views';
import { body, errorResponses, IdParam, json } from '../schemas';
import {
  AvailabilitySchema,
  InventoryIdsQuery,
  NewProductBody,
  ProductListQuery,
  ProductPage,
  ProductPatch,
  ProductSchema,
  StockBody,
} from './schemas';

const tags = ['products'];
const adminTags = ['products (admin)'];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/products',
    tags,
    summary: 'Active products, paginated, filtered by price, stock and category',
    request: { query: ProductListQuery },
    responses: { 200: json(ProductPage), ...errorResponses(400) },
  }),
  inventoryMany: createRoute({
    method: 'get',
    path: '/products/inventory',
    tags,
    summary: 'Stock availability of several products (?ids=a,b,c)',
    request: { query: InventoryIdsQuery },
    responses: { 200: json(z.object({ data: z.array(AvailabilitySchema) })), ...errorResponses(400) },
  }),
  get: createRoute({
    method: 'get',
    path: '/products/{id}',
    tags,
    summary: 'One product',
    request: { params: IdParam },
    responses: { 200: json(ProductSchema), ...errorResponses(400, 404) },
  }),
  inventory: createRoute({
    method: 'get',
    path: '/products/{id}/inventory',
    tags,
    summary: "One product's stock availability",
    request: { params: IdParam },
    responses: { 200: json(AvailabilitySchema), ...errorResponses(400, 404) },
  }),
  create: guarded('admin', {
    method: 'post',
    path: '/products',
    tags: adminTags,
    summary: 'Create a product with its initial stock',
    request: { body: body(NewProductBody) },
    responses: { 201: json(ProductSchema, 'created'), ...errorResponses(400, 401, 403, 409) },
  }),
  update: guarded('admin', {
    method: 'patch',
    path: '/products/{id}',
    tags: adminTags,
    summary: 'Change a product',
    request: { params: IdParam, body: body(ProductPatch) },
    responses: { 200: json(ProductSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  setStock: guarded('admin', {
    method: 'put',
    path: '/products/{id}/inventory',
    tags: adminTags,
    summary: 'Set the on-hand quantity (never below what is reserved)',
    request: { params: IdParam, body: body(StockBody) },
    responses: { 200: json(AvailabilitySchema), ...errorResponses(400, 401, 403, 404, 409) },
  }),
};

/** `recordView` (optional) hears each product page a signed-in shopper opens; it never waits or throws. */
export function productRoutes(services: Services, recordView?: ViewRecorder) {
  const { products, inventory } = services;
  const app = createRouter();

  return app
    .openapi(routes.list, async (c) => c.json(await products.list(c.req.valid('query')), 200))
    .openapi(routes.inventoryMany, async (c) =>
      c.json({ data: await inventory.availability(c.req.valid('query').ids) }, 200),
    )
    .openapi(routes.get, async (c) => {
      const product = await products.get(c.req.valid('param').id);
      recordView?.(c.req.header('authorization'), product.id);
      return c.json(product, 200);
    })
    .openapi(routes.inventory, async (c) => {
      const [row] = await inventory.availability([c.req.valid('param').id]);
      if (!row) throw new AppError('not_found', 'product not found');
      return c.json(row, 200);
    })
    .openapi(routes.create, async (c) => c.json(await products.create(c.req.valid('json')), 201))
    .openapi(routes.update, async (c) =>
      c.json(await products.update(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(routes.setStock, async (c) =>
      c.json(await inventory.setStock(c.req.valid('param').id, c.req.valid('json').quantity), 200),
    );
}
