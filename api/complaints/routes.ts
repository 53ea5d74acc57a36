/**
 * The buyer's complaint on an order (the seed's four routes): open it, read it, edit it while the
 * seller has not answered, and act on it (accept or counter an offer, escalate, withdraw, report
 * the return shipped). Another shopper's order is a 404, like a missing one.
 */
import { guarded } from '../access';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import { actOnComplaint } from '../../services/orders/complaint-actions';
import { complaintView } from '../../services/orders/complaints';
import { complaintWorkflowId, type ComplaintAction } from '../../workflows/complaint-contract';
import { createRouter } from '../router';
import { body, errorResponses, IdParam, json } from '../schemas';
import { BuyerActionBody, CaseSchema, ComplaintSchema, EditComplaintBody, OpenComplaintBody } from './schemas';

const tags = ['complaints'];

const routes = {
  open: guarded('user', {
    method: 'post',
    path: '/orders/{id}/complaint',
    tags,
    summary: 'Complain about a delivered order (within the complaint window; one complaint per order)',
    request: { params: IdParam, body: body(OpenComplaintBody) },
    responses: { 201: json(ComplaintSchema), ...errorResponses(400, 401, 404, 409, 503) },
  }),
  get: guarded('user', {
    method: 'get',
    path: '/orders/{id}/complaint',
    tags,
    summary: "My order's complaint: its state, deadline and outcome",
    request: { params: IdParam },
    responses: { 200: json(ComplaintSchema), ...errorResponses(400, 401, 404) },
  }),
  edit: guarded('user', {
    method: 'patch',
    path: '/orders/{id}/complaint',
    tags,
    summary: 'Edit the description or add evidence, while the seller has not answered',
    request: { params: IdParam, body: body(EditComplaintBody) },
    responses: { 200: json(ComplaintSchema), ...errorResponses(400, 401, 404, 409) },
  }),
  resolve: guarded('user', {
    method: 'post',
    path: '/orders/{id}/complaint/resolve',
    tags,
    summary: "The buyer's move: accept or counter the seller's offer, escalate, withdraw, or report the return shipped",
    request: { params: IdParam, body: body(BuyerActionBody) },
    responses: { 200: json(CaseSchema), ...errorResponses(400, 401, 404, 409, 503) },
  }),
};

export function complaintRoutes(services: Services) {
  const { complaints, complaintClient } = services;
  const app = createRouter();

  return app
    .openapi(routes.open, async (c) => {
      const orderId = c.req.valid('param').id;
      const userId = c.get('user').sub;
      const input = c.req.valid('json');
      let opened: Awaited<ReturnType<typeof complaints.open>>;
      try {
        opened = await complaints.open(
          {
            orderId,
            userId,
            reason: input.reason,
            description: input.description,
            evidenceUrls: input.evidence_urls,
            deliveredAt: (await services.shipments.latestForOrder(orderId))?.delivered_at ?? undefined,
          },
          complaintWorkflowId,
        );
      } catch (err) {
        // Still one complaint per order; but if its case never started (Temporal was down when it
        // was opened), the buyer's retry starts it before hearing that it exists.
        const existing =
          err instanceof AppError && err.code === 'conflict' ? await complaints.getByOrder(orderId) : null;
        if (existing && existing.user_id === userId && !(await complaintClient.exists(existing.id))) {
          const order = await services.orders.getOwn(orderId, userId);
          const paidAmount = order.total_amount.toFixed(2);
          await complaintClient.start({ complaintId: existing.id, orderId, userId, paidAmount });
        }
        throw err;
      }
      await complaintClient.start({
        complaintId: opened.complaint.id,
        orderId,
        userId,
        paidAmount: opened.paidAmount,
      });
      return c.json(complaintView(opened.complaint), 201);
    })
    .openapi(routes.get, async (c) =>
      c.json(complaintView(await complaints.getOwn(c.req.valid('param').id, c.get('user').sub)), 200),
    )
    .openapi(routes.edit, async (c) => {
      const b = c.req.valid('json');
      const edited = await complaints.edit(c.req.valid('param').id, c.get('user').sub, {
        description: b.description,
        addEvidenceUrls: b.evidence_urls,
      });
      return c.json(complaintView(edited), 200);
    })
    .openapi(routes.resolve, async (c) => {
      const complaint = await complaints.getOwn(c.req.valid('param').id, c.get('user').sub);
      const { action: type, ...rest } = c.req.valid('json');
      // A note is stored by the order service and handed to the case by id (never its text).
      const { note, ...facts } = rest as typeof rest & { note?: string };
      const action = { by: 'buyer', type, ...facts } as ComplaintAction;
      const state = await actOnComplaint({ complaints, complaintClient }, complaint.id, action, note);
      return c.json(state, 200);
    });
}
