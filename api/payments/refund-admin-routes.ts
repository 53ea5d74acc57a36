/**
 * Operators' list of manual refunds (admin only): the refunds of virtual-account and COD payments
 * (and parts of whole-only wallets) an operator transfers by hand, oldest first. Each says whether
 * the shopper gave the account yet and shows its bank and last four digits only: the full number
 * is not needed to find the refund, and a list is where it would leak (copied, screenshotted).
 * The transfer itself is marked with POST /admin/refunds/{id}/transferred.
 */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';

const ManualRefundSchema = z
  .object({
    id: z.string(),
    order_id: z.string(),
    order_number: z.string().nullable(),
    amount: z.string(),
    status: z.string(),
    method: z.string(),
    method_detail: z.string().nullable(),
    created_at: z.string(),
    age_seconds: z.number().int(),
    transferred_at: z.string().nullable(),
    account_given: z.boolean(),
    account: z
      .object({ bank_code: z.string(), account_number_last4: z.string() })
      .nullable()
      .openapi({ description: "the shopper's account: its bank and last four digits only" }),
  })
  .openapi('ManualRefund');

const list = guarded('admin', {
  method: 'get',
  path: '/admin/refunds',
  tags: ['payments (admin)'],
  summary: 'Manual refunds awaiting a bank transfer (or transferred), oldest first, a page at a time',
  description:
    "status=awaiting_transfer (the default) is the operators' work list; status=refunded those already transferred. Gateway refunds are not listed here.",
  request: {
    query: z.object({
      status: z.enum(['awaiting_transfer', 'refunded']).default('awaiting_transfer'),
      page: z.coerce.number().int().min(1).max(10_000).default(1),
      page_size: z.coerce.number().int().min(1).max(100).default(20),
    }),
  },
  responses: {
    200: json(
      z.object({ data: z.array(ManualRefundSchema), page: z.number(), page_size: z.number(), total: z.number() }),
    ),
    ...errorResponses(400, 401, 403),
  },
});

export function refundAdminRoutes(services: Services) {
  const app = createRouter();
  return app.openapi(list, async (c) => {
    const { status, page, page_size } = c.req.valid('query');
    const { items, total } = await services.payments.refunds.listManual({ status, page, pageSize: page_size });
    const numbers = await services.orders.numbersOf(items.map((r) => r.order_id));
    const now = Date.now();
    const data = items.map((r) => ({
      id: r.id,
      order_id: r.order_id,
      order_number: numbers.get(r.order_id) ?? null,
      amount: r.amount,
      status: r.status,
      method: r.method,
      method_detail: r.method_detail,
      created_at: r.created_at.toISOString(),
      age_seconds: Math.floor((now - r.created_at.getTime()) / 1000),
      transferred_at: r.transferred_at?.toISOString() ?? null,
      account_given: r.account !== null,
      account: r.account,
    }));
    return c.json({ data, page, page_size, total }, 200);
  });
}
