/**
 * The complaint records of the order service: one complaint per order (a unique index), opened
 * only against a delivered order within the complaint window, its state and deadline mirrored
 * from the complaint workflow, every change published as a `complaint.*` event through the outbox
 * with an id derived from the complaint and the step, so a retried activity emits nothing twice.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { stableId } from '../../platform/ids';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import {
  OPEN_STATES,
  type ComplaintAction,
  type ComplaintOutcome,
  type ComplaintReason,
  type ComplaintStateName,
} from '../../workflows/complaint-contract';

type Tx = Prisma.TransactionClient;
type ComplaintRow = Awaited<ReturnType<Db['complaint']['findUniqueOrThrow']>>;

export interface NewComplaint {
  orderId: string;
  userId: string;
  reason: ComplaintReason;
  description: string;
  evidenceUrls: string[];
  /** When the parcel was delivered, as the shipment service recorded it. */
  deliveredAt?: Date;
}

/** A complaint as shoppers and operators see it. */
export function complaintView(c: ComplaintRow) {
  return {
    id: c.id,
    order_id: c.order_id,
    reason: c.type,
    description: c.description,
    evidence_urls: c.evidence_urls as string[],
    state: c.status,
    deadline_at: c.deadline_at?.toISOString() ?? null,
    outcome: c.outcome,
    offer_amount: c.offer_amount?.toFixed(2) ?? null,
    refunded_amount: c.refunded_amount.toFixed(2),
    return_tracking_number: c.return_tracking_number,
    resolved_at: c.resolved_at?.toISOString() ?? null,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}
export type ComplaintView = ReturnType<typeof complaintView>;

type NoteRow = Awaited<ReturnType<Db['complaintNote']['findUniqueOrThrow']>>;

/** A note as operators see it: who wrote it, with which action, and the state change it led to. */
export const complaintNoteView = (n: NoteRow) => ({
  id: n.id,
  author: n.author as ComplaintAction['by'],
  action: n.action,
  text: n.text,
  step: n.step,
  created_at: n.created_at.toISOString(),
});

const FINAL_STATES: ComplaintStateName[] = ['resolved', 'withdrawn', 'closed'];

export function createComplaintStore(db: Db, windowSeconds: number) {
  async function emit(tx: Tx, c: ComplaintRow, type: string, step: string, cause: string) {
    await enqueueEvent(tx, {
      id: stableId(`complaint:${c.id}:${step}`),
      topic: TOPICS.complaints,
      type,
      aggregateId: c.id,
      data: {
        complaint_id: c.id,
        order_id: c.order_id,
        user_id: c.user_id,
        state: c.status,
        reason: c.type,
        deadline_at: c.deadline_at?.toISOString() ?? null,
        cause,
        outcome: c.outcome,
        refunded_amount: c.refunded_amount.toFixed(2),
      },
    });
  }

  return {
    /**
     * Records a new complaint against the buyer's own delivered order, within the window. Another
     * shopper's order is not found; a second complaint on one order is a conflict.
     */
    async open(input: NewComplaint, workflowIdFor: (complaintId: string) => string, now = new Date()) {
      const deliveredAt = input.deliveredAt;
      const order = await db.order.findUnique({ where: { id: input.orderId } });
      if (!order || order.user_id !== input.userId) throw new AppError('not_found', 'order not found');
      if (order.status !== 'delivered') {
        throw new AppError('conflict', `only a delivered order can be complained about; this one is ${order.status}`, {
          reason: 'order_not_delivered',
          status: order.status,
        });
      }
      // The shipment's delivery time when the shipment service has it; otherwise the order's last
      // change, which is its delivery (it stays `delivered` until it completes).
      if (now.getTime() - (deliveredAt ?? order.updated_at).getTime() > windowSeconds * 1000) {
        throw new AppError('conflict', 'the complaint window for this order has passed', {
          reason: 'complaint_window_passed',
        });
      }
      try {
        return await db.$transaction(async (tx) => {
          const id = crypto.randomUUID();
          const c = await tx.complaint.create({
            data: {
              id,
              order_id: input.orderId,
              user_id: input.userId,
              type: input.reason,
              description: input.description,
              evidence_urls: input.evidenceUrls,
              status: 'awaiting_seller',
              workflow_id: workflowIdFor(id),
            },
          });
          await emit(tx, c, 'complaint.opened', 'opened', 'opened');
          return { complaint: c, paidAmount: order.total_amount.toFixed(2) };
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') {
          throw new AppError('conflict', 'this order already has a complaint', { reason: 'complaint_exists' });
        }
        throw err;
      }
    },

    /** The buyer's complaint on their order; another shopper's is not found. */
    async getOwn(orderId: string, userId: string) {
      const c = await db.complaint.findUnique({ where: { order_id: orderId } });
      if (!c || c.user_id !== userId) throw new AppError('not_found', 'no complaint on this order');
      return c;
    },

    getByOrder: (orderId: string) => db.complaint.findUnique({ where: { order_id: orderId } }),
    get: (id: string) => db.complaint.findUnique({ where: { id } }),

    /** The buyer edits the description or adds evidence, only while the seller has not answered. */
    async edit(orderId: string, userId: string, change: { description?: string; addEvidenceUrls?: string[] }) {
      const c = await this.getOwn(orderId, userId);
      const evidence = [...new Set([...(c.evidence_urls as string[]), ...(change.addEvidenceUrls ?? [])])];
      if (evidence.length > 10) {
        throw new AppError('validation_failed', 'at most 10 evidence links per complaint', { field: 'evidence_urls' });
      }
      const moved = await db.complaint.updateMany({
        where: { id: c.id, status: 'awaiting_seller' },
        data: { description: change.description ?? c.description, evidence_urls: evidence },
      });
      if (moved.count === 0) {
        throw new AppError('conflict', 'the seller has answered: the complaint can no longer be edited', {
          reason: 'complaint_answered',
          state: c.status,
        });
      }
      return db.complaint.findUniqueOrThrow({ where: { id: c.id } });
    },

    /**
     * Keeps the note written with an action, before the case is told of the action: the case is
     * handed the note's id, never its text (free text holds what people write: phone numbers,
     * bank accounts), so the text lives here only, under the order service's rules.
     */
    async addNote(complaintId: string, note: { author: ComplaintAction['by']; action: string; text: string }) {
      const row = await db.complaintNote.create({
        data: { complaint_id: complaintId, author: note.author, action: note.action, text: note.text },
      });
      return row.id;
    },

    /** Drops the note of an action the case refused: it never happened, so neither did its note. */
    dropNote: (noteId: string) => db.complaintNote.deleteMany({ where: { id: noteId, step: null } }),

    /** The notes of a case, oldest first, each with the state change its action led to (if taken). */
    notes: (complaintId: string) =>
      db.complaintNote.findMany({ where: { complaint_id: complaintId }, orderBy: { created_at: 'asc' } }),

    /** Mirrors the workflow's state (once per step: the event id is the complaint + step). */
    async recordState(input: {
      complaintId: string;
      state: ComplaintStateName;
      deadline: string | null;
      step: number;
      cause: string;
      outcome?: ComplaintOutcome | null;
      offerAmount?: string | null;
      refundedAmount?: string | null;
      returnTrackingNumber?: string | null;
      /** The note of the action that led to this state change, if it came with one. */
      noteId?: string | null;
    }) {
      return db.$transaction(async (tx) => {
        if (input.noteId) {
          await tx.complaintNote.updateMany({
            where: { id: input.noteId, complaint_id: input.complaintId },
            data: { step: input.step },
          });
        }
        const final = FINAL_STATES.includes(input.state);
        const c = await tx.complaint.update({
          where: { id: input.complaintId },
          data: {
            status: input.state,
            deadline_at: input.deadline ? new Date(input.deadline) : null,
            ...(input.outcome ? { outcome: input.outcome } : {}),
            ...(input.offerAmount ? { offer_amount: new Prisma.Decimal(input.offerAmount) } : {}),
            ...(input.refundedAmount ? { refunded_amount: new Prisma.Decimal(input.refundedAmount) } : {}),
            ...(input.returnTrackingNumber ? { return_tracking_number: input.returnTrackingNumber } : {}),
            ...(final ? { resolved_at: new Date() } : {}),
          },
        });
        await emit(tx, c, final ? 'complaint.resolved' : 'complaint.state_changed', `step:${input.step}`, input.cause);
        return c;
      });
    },

    /** Operators' queue: by state, soonest deadline first (cases without one last). */
    async list(q: { state?: ComplaintStateName; deadlineBefore?: Date; page: number; pageSize: number }) {
      const where: Prisma.ComplaintWhereInput = {
        status: q.state ?? { in: OPEN_STATES },
        ...(q.deadlineBefore ? { deadline_at: { lte: q.deadlineBefore } } : {}),
      };
      const [data, total] = await Promise.all([
        db.complaint.findMany({
          where,
          orderBy: [{ deadline_at: { sort: 'asc', nulls: 'last' } }, { created_at: 'asc' }],
          skip: (q.page - 1) * q.pageSize,
          take: q.pageSize,
        }),
        db.complaint.count({ where }),
      ]);
      return { data, total };
    },
  };
}

export type ComplaintStore = ReturnType<typeof createComplaintStore>;
