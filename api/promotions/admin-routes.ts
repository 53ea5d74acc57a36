/**
 * Operators' voucher routes (admin only): create one (its code is generated, never chosen),
 * pause/resume it, extend it or change its budget, and inspect it with its budget left and claims.
 * Shoppers use the codes at the cart and at checkout (README, "Vouchers").
 */
import { guarded } from '../access';
import type { Services } from '../../services';
import { createRouter } from '../router';
import { body, errorResponses, IdParam, json } from '../schemas';
import { NewVoucherBody, VoucherPatch, VoucherSchema } from './schemas';

const tags = ['promotions (admin)'];

const routes = {
  create: guarded('admin', {
    method: 'post',
    path: '/admin/vouchers',
    tags,
    summary: 'Create a voucher: free shipping up to an amount, or a discount (fixed, or a percentage with a cap)',
    description:
      'A budget is required (budget_amount, budget_uses or both); per_shopper_limit counts per person (account, verified phone number, delivery address). The code is generated from crypto randomness.',
    request: { body: body(NewVoucherBody) },
    responses: { 201: json(VoucherSchema, 'created'), ...errorResponses(400, 401, 403) },
  }),
  patch: guarded('admin', {
    method: 'patch',
    path: '/admin/vouchers/{id}',
    tags,
    summary: 'Pause or resume a voucher, extend its validity, or change its budget (never below what is spent or used)',
    request: { params: IdParam, body: body(VoucherPatch) },
    responses: { 200: json(VoucherSchema), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  get: guarded('admin', {
    method: 'get',
    path: '/admin/vouchers/{id}',
    tags,
    summary: 'A voucher with its budget left, uses and claims',
    request: { params: IdParam },
    responses: { 200: json(VoucherSchema), ...errorResponses(400, 401, 403, 404) },
  }),
};

export function voucherAdminRoutes(services: Services) {
  const { vouchers } = services.promotions;
  return createRouter()
    .openapi(routes.create, async (c) => {
      const b = c.req.valid('json');
      const view = await vouchers.create(
        { ...b, valid_from: new Date(b.valid_from), valid_until: new Date(b.valid_until) },
        c.get('user').sub ?? null,
      );
      return c.json(view, 201);
    })
    .openapi(routes.patch, async (c) => {
      const b = c.req.valid('json');
      const view = await vouchers.update(c.req.valid('param').id, {
        ...b,
        valid_until: b.valid_until ? new Date(b.valid_until) : undefined,
      });
      return c.json(view, 200);
    })
    .openapi(routes.get, async (c) => c.json(await vouchers.get(c.req.valid('param').id), 200));
}
