/** Request and response schemas of the product routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { nameText } from '../schemas';

export const MAX_PAGE_SIZE = 100;

const money = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, 'a decimal amount in IDR with at most 2 decimals, e.g. "125000.00"')
  .openapi({ example: '125000.00' });

const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ProductListQuery = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
    min_price: z.coerce.number().min(0).optional(),
    max_price: z.coerce.number().min(0).optional(),
    in_stock: boolString.optional(),
    category: z.string().max(50).optional(),
    sort: z.enum(['newest', 'price_asc', 'price_desc']).default('newest'),
  })
  .refine((q) => q.min_price === undefined || q.max_price === undefined || q.min_price <= q.max_price, {
    message: 'min_price must not exceed max_price',
    path: ['min_price'],
  });

export const ProductSchema = z
  .object({
    id: z.string().uuid(),
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    price: z.string().openapi({ example: '125000.00' }),
    category: z.string(),
    status: z.string(),
    weight_grams: z.number().int(),
    available: z.number().int(),
    in_stock: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Product');

export const ProductPage = z
  .object({ data: z.array(ProductSchema), page: z.number(), page_size: z.number(), total: z.number() })
  .openapi('ProductPage');

export const AvailabilitySchema = z
  .object({ product_id: z.string().uuid(), quantity: z.number(), reserved: z.number(), available: z.number() })
  .openapi('Availability');

export const InventoryIdsQuery = z.object({
  ids: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().uuid('each id must be a UUID')).min(1).max(100)),
});

export const NewProductBody = z
  .strictObject({
    sku: z.string().trim().min(1).max(50),
    name: nameText(255),
    description: z.string().max(10_000).optional(),
    price: money,
    category: z.string().trim().min(1).max(50).optional(),
    status: z.enum(['active', 'inactive']).optional(),
    weight_grams: z.number().int().min(1).max(100_000).optional(),
    quantity: z.number().int().min(0).max(1_000_000).optional(),
  })
  .openapi('NewProduct');

export const ProductPatch = NewProductBody.omit({ sku: true, quantity: true })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field')
  .openapi('ProductPatch');

export const StockBody = z.strictObject({ quantity: z.number().int().min(0).max(1_000_000) }).openapi('SetStock');
