/**
 * A carrier event as it arrives from outside (a stream frame or a webhook body), checked before
 * anything trusts it: an outside party's message is input like any other.
 */
import { z } from 'zod';
import { CARRIERS, TRACKING_STATUSES, type CarrierCode, type CarrierEvent } from '../../contracts/carrier';

export const CarrierEventSchema = z.object({
  event_id: z.string().min(1).max(100),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  awb: z.string().min(1).max(100),
  reference: z.string().min(1).max(100),
  carrier: z.enum(Object.keys(CARRIERS) as [CarrierCode, ...CarrierCode[]]),
  status: z.enum(TRACKING_STATUSES),
  position: z.number().int().min(1).max(1000),
  occurred_at: z.iso.datetime({ offset: true }),
  location: z.string().max(255).optional(),
  description: z.string().max(255).optional(),
}) satisfies z.ZodType<CarrierEvent>;

/** The event, or the first problem naming its field. */
export function parseCarrierEvent(
  input: unknown,
): { ok: true; event: CarrierEvent } | { ok: false; field: string; message: string } {
  const parsed = CarrierEventSchema.safeParse(input);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, field: issue?.path.join('.') || 'body', message: issue?.message ?? 'invalid carrier event' };
}
