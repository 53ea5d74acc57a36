/**
 * Operators' views (admin only): the stuck-work report, work that has sat in one step longer
 * than it should (services/orders/stuck-work.ts). `npm run stuck` prints the same list.
 */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Config } from '../../platform/config';
import type { Services } from '../../services';
import { stuckThresholds } from '../../services/orders/stuck-work';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';

const StuckItemSchema = z
  .object({ kind: z.string(), ref: z.string(), since: z.string(), detail: z.record(z.string(), z.unknown()) })
  .openapi('StuckItem');

const stuck = guarded('admin', {
  method: 'get',
  path: '/admin/stuck-work',
  tags: ['operations (admin)'],
  summary: 'Checkouts, refunds and payments stuck in one step; failed sagas that need a hand; manual refunds long untransferred',
  request: {
    query: z.object({
      older_than_seconds: z.coerce
        .number()
        .int()
        .min(0)
        .max(30 * 86_400)
        .optional()
        .openapi({ description: 'overrides the defaults (payment expiry + 5 min for checkouts, 15 min for refunds, a day for manual refunds awaiting a transfer)' }),
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(StuckItemSchema), count: z.number() })),
    ...errorResponses(400, 401, 403, 503),
  },
});

export function operationsRoutes(services: Services, config: Config) {
  const app = createRouter();
  return app.openapi(stuck, async (c) => {
    const items = await services.stuckWork.run(stuckThresholds(config, c.req.valid('query').older_than_seconds));
    return c.json({ data: items, count: items.length }, 200);
  });
}
