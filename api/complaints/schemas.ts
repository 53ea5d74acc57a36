/** Schemas of the complaint routes, buyer's and operators' (exported for tests). */
import { z } from '@hono/zod-openapi';
import { COMPLAINT_STATES } from '../../contracts/states';
import { COMPLAINT_REASONS } from '../../workflows/complaint-contract';

const Money = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, 'a positive decimal amount, e.g. "25000.00"')
  .openapi({ example: '25000.00' });

/** Evidence is links to photos the buyer uploaded elsewhere: https only, a bounded list. */
const EvidenceUrls = z
  .array(z.string().url().max(500).startsWith('https://', 'evidence links must be https'))
  .max(10, 'at most 10 evidence links');

const Note = z.string().trim().min(1).max(1000).optional();

export const OpenComplaintBody = z
  .strictObject({
    reason: z.enum(COMPLAINT_REASONS),
    description: z.string().trim().min(10, 'describe the problem in at least 10 characters').max(2000),
    evidence_urls: EvidenceUrls.default([]),
  })
  .openapi('OpenComplaint');

export const EditComplaintBody = z
  .strictObject({
    description: z.string().trim().min(10).max(2000).optional(),
    /** Added to the evidence already given (never removes any). */
    evidence_urls: EvidenceUrls.min(1).optional(),
  })
  .refine((b) => b.description !== undefined || b.evidence_urls !== undefined, {
    message: 'send a description or evidence_urls',
    path: ['description'],
  })
  .openapi('EditComplaint');

/** The buyer's side of a case. */
export const BuyerActionBody = z
  .discriminatedUnion('action', [
    z.strictObject({ action: z.literal('accept_offer') }),
    z.strictObject({ action: z.literal('counter_offer'), amount: Money }),
    z.strictObject({ action: z.literal('escalate'), note: Note }),
    z.strictObject({ action: z.literal('withdraw'), note: Note }),
    z.strictObject({
      action: z.literal('return_shipped'),
      tracking_number: z.string().regex(/^[A-Za-z0-9-]{4,100}$/, '4 to 100 letters, digits or -'),
    }),
  ])
  .openapi('ComplaintBuyerAction');

/** The seller's answer (a replacement ships the same items again), and the seller's side of a return. */
export const SellerAnswerBody = z
  .strictObject({
    answer: z.enum([
      'accept_refund',
      'accept_return',
      'accept_replacement',
      'accept_counter',
      'reject',
      'return_received',
      'inspection_passed',
      'inspection_failed',
    ]),
    note: Note,
  })
  .openapi('ComplaintSellerAnswer');

export const OfferBody = z.strictObject({ amount: Money, note: Note }).openapi('ComplaintOffer');

export const DecideBody = z
  .strictObject({ outcome: z.enum(['refund', 'partial_refund', 'reject']), amount: Money.optional(), note: Note })
  .refine((b) => b.outcome !== 'partial_refund' || b.amount !== undefined, {
    message: 'a partial refund needs an amount',
    path: ['amount'],
  })
  .openapi('ComplaintDecision');

export const ComplaintSchema = z
  .object({
    id: z.string().uuid(),
    order_id: z.string().uuid(),
    reason: z.string(),
    description: z.string(),
    evidence_urls: z.array(z.string()),
    state: z.string(),
    deadline_at: z.string().nullable(),
    outcome: z.string().nullable(),
    offer_amount: z.string().nullable(),
    refunded_amount: z.string(),
    return_tracking_number: z.string().nullable(),
    resolved_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Complaint');

/** A note written with an action: kept by the order service, never handed to the workflow. */
export const ComplaintNoteSchema = z
  .object({
    id: z.string().uuid(),
    author: z.enum(['buyer', 'seller', 'operator']),
    action: z.string(),
    text: z.string(),
    /** The case's state change the action led to; null if the action was not taken (yet). */
    step: z.number().int().nullable(),
    created_at: z.string(),
  })
  .openapi('ComplaintNote');

/** What the case says right after an action: its state, deadline and what moved it. */
export const CaseSchema = z
  .object({
    complaint_id: z.string(),
    order_id: z.string(),
    state: z.string(),
    deadline: z.string().optional(),
    offer_amount: z.string().optional(),
    counter_amount: z.string().optional(),
    outcome: z.string().optional(),
    refunded_amount: z.string().optional(),
    return_tracking_number: z.string().optional(),
    /** The carrier's airway bill of the return parcel, booked when the buyer ships the goods back. */
    return_awb: z.string().optional(),
    /** The replacement parcel's airway bill, once its stock is deducted and the carrier booked. */
    replacement_awb: z.string().optional(),
    /** Why an accepted replacement became a refund: no stock, or the carrier brought it back. */
    replacement_fallback: z.enum(['out_of_stock', 'not_delivered']).optional(),
    history: z.array(z.string()),
  })
  .openapi('ComplaintCase');

/** Postgres has no year 0: an earlier instant, valid ISO 8601, is "out of range" in the query (a 500). */
const FIRST_INSTANT_MS = new Date('0001-01-01T00:00:00Z').getTime();

export const ComplaintListQuery = z.object({
  state: z.enum(COMPLAINT_STATES).optional(),
  /** Cases whose current deadline passes before this time, e.g. the end of today. */
  deadline_before: z.iso
    .datetime({ offset: true })
    .refine((t) => new Date(t).getTime() >= FIRST_INSTANT_MS, 'a time from year 1 (UTC) on')
    .optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});
