/** The signed-in shopper's cart, and the voucher codes they typed at it (services/promotions/offers.ts). */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import { clientIp } from '../middleware/rate-limit';
import type { Services } from '../../services';
import { CLAIM_REFUSALS } from '../../services/promotions/claims';
import { normalizeCode } from '../../services/promotions/codes';
import { VOUCHER_KINDS } from '../../services/promotions/rules';
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

const CartVoucherSchema = z
  .object({
    code: z.string(),
    kind: z.enum(VOUCHER_KINDS),
    name: z.string(),
    valid_until: z.string().nullable(),
    min_spend: z.string().nullable(),
    applies: z.boolean().openapi({ description: 'whether it takes something off this cart now' }),
    reason: z
      .enum(CLAIM_REFUSALS)
      .nullable()
      .openapi({ description: 'why it no longer applies (as a claim at checkout would be refused), else null' }),
    amount: z.string().openapi({
      description:
        'discount: what it takes off the lines now; shipping: the most it takes off the shipping, which is quoted at checkout',
    }),
    total_before_shipping: z.string().openapi({ description: 'the subtotal after this voucher alone' }),
  })
  .openapi('CartVoucher');

export const CartWithVouchersSchema = CartSchema.extend({
  vouchers: z.array(CartVoucherSchema).openapi({
    description: 'the codes this shopper typed at the cart (at most one shipping and one discount voucher)',
  }),
  totals: z.object({
    subtotal: z.string(),
    discount: z.string(),
    shipping_discount: z
      .string()
      .openapi({ description: "the shipping voucher's cap: shipping is quoted at checkout" }),
    total_before_shipping: z.string(),
  }),
}).openapi('CartWithVouchers');

// Spaces and dashes as printed on a banner are accepted; anything else that cannot be a code is a 400.
const voucherCode = z
  .string()
  .min(1)
  .max(40)
  .refine((s) => normalizeCode(s) !== null, 'not a voucher code');
export const AddVoucherBody = z.strictObject({ code: voucherCode }).openapi('AddCartVoucher');
const CodeParam = z.object({
  code: voucherCode.openapi({ param: { name: 'code', in: 'path' }, description: 'the voucher code' }),
});

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
    summary: 'My cart with current prices and stock, the voucher codes I typed and the totals after them',
    responses: { 200: json(CartWithVouchersSchema), ...errorResponses(401) },
  }),
  addVoucher: guarded('user', {
    method: 'post',
    path: '/cart/vouchers',
    tags,
    summary: 'Use a voucher code on my cart (a second voucher of a kind replaces the first)',
    description:
      'The code is checked against the cart now (active, in its window, budget left, minimum spend, scope, your per-person limit). A code that does not exist and one issued to another account answer the same 409 unknown_code; wrong codes are limited per account (VOUCHER_CODE_FAILURES_PER_ACCOUNT) and per client address (VOUCHER_CODE_FAILURES_PER_ADDRESS) in any VOUCHER_CODE_WINDOW_SECONDS: past either, 429 with Retry-After. A right code spends nothing.',
    request: { body: body(AddVoucherBody) },
    responses: { 201: json(CartWithVouchersSchema, 'remembered'), ...errorResponses(400, 401, 409, 429) },
  }),
  removeVoucher: guarded('user', {
    method: 'delete',
    path: '/cart/vouchers/{code}',
    tags,
    summary: 'Take a voucher code off my cart',
    request: { params: CodeParam },
    responses: { 204: { description: 'removed' }, ...errorResponses(400, 401, 404) },
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
  const { offers } = services.promotions;
  const app = createRouter();

  async function withVouchers(userId: string) {
    const priced = await cart.priced(userId);
    const { products: _products, ...view } = priced;
    return { ...view, ...(await offers.forCart(userId, () => services.auth.verifiedPhoneOf(userId), priced)) };
  }

  return app
    .openapi(routes.get, async (c) => c.json(await withVouchers(c.get('user').sub), 200))
    .openapi(routes.addVoucher, async (c) => {
      const userId = c.get('user').sub;
      const [priced, verifiedPhone] = await Promise.all([cart.priced(userId), services.auth.verifiedPhoneOf(userId)]);
      await offers.present({
        userId,
        address: clientIp(c),
        verifiedPhone,
        typed: c.req.valid('json').code,
        cart: priced,
      });
      return c.json(await withVouchers(userId), 201);
    })
    .openapi(routes.removeVoucher, async (c) => {
      await offers.forget(c.get('user').sub, c.req.valid('param').code);
      return c.body(null, 204);
    })
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
      // An emptied cart forgets its voucher codes too.
      await Promise.all([cart.clear(c.get('user').sub), offers.clear(c.get('user').sub)]);
      return c.body(null, 204);
    });
}
