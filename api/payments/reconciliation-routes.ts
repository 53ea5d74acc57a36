/**
 * Payment reconciliation for operators (admin only): run a pass now, and list what reconciliation
 * found but would not fix on its own. The Temporal Schedule `payments-reconciliation` runs the
 * same pass every RECONCILE_INTERVAL_SECONDS.
 */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { createRouter } from '../router';
import { errorResponses, json } from '../schemas';

const tags = ['payments (admin)'];
const Ref = z.object({ order_id: z.string(), intent_id: z.string() });

const ReportSchema = z
  .object({
    since: z.string(),
    checked: z.number(),
    gateway_intents: z.number(),
    applied: z.array(Ref.extend({ status: z.string() })),
    cancelled: z.array(Ref),
    issues: z.array(z.object({ kind: z.string(), intent_id: z.string(), order_id: z.string().nullable() })),
    cod: z
      .union([
        z.object({
          remittances: z.number(),
          parcels: z.number(),
          issues: z.array(z.object({ kind: z.string(), awb: z.string(), order_id: z.string().nullable() })),
        }),
        z.object({ error: z.string() }),
      ])
      .openapi({
        description:
          "cash on delivery checked against the couriers' remittances (parcels kept, issues found), or the error that kept it from the couriers",
      }),
  })
  .openapi('ReconcileReport');

const IssueSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    intent_id: z.string(),
    order_id: z.string().nullable(),
    details: z.unknown(),
    first_seen_at: z.string(),
    last_seen_at: z.string(),
  })
  .openapi('ReconciliationIssue');

const routes = {
  run: guarded('admin', {
    method: 'post',
    path: '/admin/payments/reconcile',
    tags,
    summary:
      "Reconcile recent payments with the gateway, and cash on delivery with the couriers' remittances, now; returns what it applied, cancelled and reported",
    responses: { 200: json(ReportSchema), ...errorResponses(401, 403, 503) },
  }),
  issues: guarded('admin', {
    method: 'get',
    path: '/admin/payments/reconciliation-issues',
    tags,
    summary: 'Mismatches reconciliation found and left for an operator, newest first',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
    responses: {
      200: json(z.object({ data: z.array(IssueSchema), open: z.number() })),
      ...errorResponses(400, 401, 403),
    },
  }),
};

export function reconciliationRoutes(services: Services) {
  const app = createRouter();
  return (
    app
      // The scheduled pass's two halves (activities/payments.ts reconcilePayments): a courier that is
      // down costs the COD half only.
      .openapi(routes.run, async (c) => {
        const gateway = await services.reconciler.run();
        const cod = await services.codReconciler.run().catch((err: unknown) => ({ error: (err as Error).message }));
        return c.json({ ...gateway, cod }, 200);
      })
      .openapi(routes.issues, async (c) => {
        const issues = await services.reconciler.openIssues(c.req.valid('query').limit);
        const data = issues.map((i) => ({
          id: i.id,
          kind: i.kind,
          intent_id: i.intent_id,
          order_id: i.order_id,
          details: i.details,
          first_seen_at: i.first_seen_at.toISOString(),
          last_seen_at: i.last_seen_at.toISOString(),
        }));
        return c.json({ data, open: data.length }, 200);
      })
  );
}
