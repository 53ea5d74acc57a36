/**
 * The seller's and the platform's side of complaints (admin only: Pasar's sellers are operated
 * by the platform): the queue by state and by deadline, a case's detail, the seller's answer and
 * partial-refund offer, and the operator's decision on an escalated case.
 */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import { AppError } from '../../platform/errors';
import type { Services } from '../../services';
import { actOnComplaint } from '../../services/orders/complaint-actions';
import { complaintNoteView, complaintView } from '../../services/orders/complaints';
import type { ComplaintAction } from '../../workflows/complaint-contract';
import { createRouter } from '../router';
import { body, errorResponses, IdParam, json } from '../schemas';
import {
  CaseSchema,
  ComplaintListQuery,
  ComplaintNoteSchema,
  ComplaintSchema,
  DecideBody,
  OfferBody,
  SellerAnswerBody,
} from './schemas';

const tags = ['complaints (admin)'];

const routes = {
  list: guarded('admin', {
    method: 'get',
    path: '/admin/complaints',
    tags,
    summary: 'Open cases (or those in one state), soonest deadline first; deadline_before finds what passes today',
    request: { query: ComplaintListQuery },
    responses: {
      200: json(
        z.object({ data: z.array(ComplaintSchema), page: z.number(), page_size: z.number(), total: z.number() }),
      ),
      ...errorResponses(400, 401, 403),
    },
  }),
  get: guarded('admin', {
    method: 'get',
    path: '/admin/complaints/{id}',
    tags,
    summary: 'One case, with what its workflow holds now and the notes written with its actions',
    request: { params: IdParam },
    responses: {
      200: json(ComplaintSchema.extend({ case: CaseSchema.nullable(), notes: z.array(ComplaintNoteSchema) })),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  answer: guarded('admin', {
    method: 'post',
    path: '/admin/complaints/{id}/answer',
    tags,
    summary: "The seller's answer (refund, return, replacement, accept the counter, reject) or the return's progress",
    request: { params: IdParam, body: body(SellerAnswerBody) },
    responses: { 200: json(CaseSchema), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  offer: guarded('admin', {
    method: 'post',
    path: '/admin/complaints/{id}/offer',
    tags,
    summary: 'The seller offers a partial refund (less than what was paid)',
    request: { params: IdParam, body: body(OfferBody) },
    responses: { 200: json(CaseSchema), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  decide: guarded('admin', {
    method: 'post',
    path: '/admin/complaints/{id}/decide',
    tags,
    summary: "The platform's decision on an escalated case",
    request: { params: IdParam, body: body(DecideBody) },
    responses: { 200: json(CaseSchema), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
};

export function complaintAdminRoutes(services: Services) {
  const { complaints, complaintClient } = services;
  const app = createRouter();

  const found = async (id: string) => {
    const complaint = await complaints.get(id);
    if (!complaint) throw new AppError('not_found', 'complaint not found');
    return complaint;
  };
  // A note is stored by the order service and handed to the case by id (never its text).
  const act = async (id: string, action: ComplaintAction, note?: string) =>
    actOnComplaint({ complaints, complaintClient }, (await found(id)).id, action, note);

  return app
    .openapi(routes.list, async (c) => {
      const q = c.req.valid('query');
      const { data, total } = await complaints.list({
        state: q.state,
        deadlineBefore: q.deadline_before ? new Date(q.deadline_before) : undefined,
        page: q.page,
        pageSize: q.page_size,
      });
      return c.json({ data: data.map(complaintView), page: q.page, page_size: q.page_size, total }, 200);
    })
    .openapi(routes.get, async (c) => {
      const complaint = await found(c.req.valid('param').id);
      const [live, notes] = await Promise.all([
        complaintClient.state(complaint.id).catch(() => undefined),
        complaints.notes(complaint.id),
      ]);
      return c.json({ ...complaintView(complaint), case: live ?? null, notes: notes.map(complaintNoteView) }, 200);
    })
    .openapi(routes.answer, async (c) => {
      const { answer, note } = c.req.valid('json');
      return c.json(await act(c.req.valid('param').id, { by: 'seller', type: answer }, note), 200);
    })
    .openapi(routes.offer, async (c) => {
      const { amount, note } = c.req.valid('json');
      return c.json(await act(c.req.valid('param').id, { by: 'seller', type: 'offer_partial', amount }, note), 200);
    })
    .openapi(routes.decide, async (c) => {
      const { outcome, amount, note } = c.req.valid('json');
      return c.json(await act(c.req.valid('param').id, { by: 'operator', type: 'decide', outcome, amount }, note), 200);
    });
}
