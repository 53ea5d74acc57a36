/**
 * How a buyer's, seller's or operator's action reaches a complaint's case with the note they
 * wrote: the note is kept in the order service's store first and the case is handed its id only.
 * A note is free text, and people write phone numbers and bank accounts in it; Temporal keeps
 * every update's payload in its history, outside this service's access rules and erasure, so
 * the text never goes there (README: personal data stays out of Temporal).
 */
import { AppError } from '../../platform/errors';
import type { ComplaintAction, ComplaintState } from '../../workflows/complaint-contract';
import type { ComplaintClient } from './complaint-client';
import type { ComplaintStore } from './complaints';

export interface ComplaintActionDeps {
  complaints: Pick<ComplaintStore, 'addNote' | 'dropNote'>;
  complaintClient: Pick<ComplaintClient, 'act'>;
}

/** Hands the case `action`; a note is stored first and travels as its id. */
export async function actOnComplaint(
  deps: ComplaintActionDeps,
  complaintId: string,
  action: ComplaintAction,
  note?: string,
): Promise<ComplaintState> {
  if (note === undefined) return deps.complaintClient.act(complaintId, action);
  const noteId = await deps.complaints.addNote(complaintId, { author: action.by, action: action.type, text: note });
  try {
    return await deps.complaintClient.act(complaintId, { ...action, note_id: noteId });
  } catch (err) {
    // Refused (the case said no, or it has ended): the action never happened, so neither did its
    // note. Any other failure (Temporal slow or down) may still have been taken: the note stays.
    if (err instanceof AppError) await deps.complaints.dropNote(noteId);
    throw err;
  }
}
