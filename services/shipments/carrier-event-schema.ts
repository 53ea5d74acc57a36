/**
 * A carrier event as it arrives from outside (a stream frame or a webhook body), checked before
 * anything trusts it: an outside party's message is input like any other.
 *
 * Its text follows the input policy's rule (platform/text-policy.ts), which the webhook already
 * met in the API's middleware but the stream's frames never pass: identifiers with a refused
 * character are refused; the free text (location, description) has refused characters taken out
 * and the fields named in `cleaned`, because a carrier's scan must not stop a parcel's tracking
 * and a stream cannot be answered with a 400.
 *
 * `cod_collected` is the cash the courier took for a COD parcel: an amount on the `delivered` event
 * only (delivery and collection are one scan). On any other status it is malformed, refused like
 * any malformed event, never read as a payment.
 */
import { z } from 'zod';
import { textProblem, withoutRefusedCharacters } from '../../platform/text-policy';
import {
  CARRIERS,
  CARRIER_AMOUNT_PATTERN,
  TRACKING_STATUSES,
  amountInSen,
  type CarrierCode,
  type CarrierEvent,
} from '../../contracts/carrier';

const identifier = z
  .string()
  .min(1)
  .max(100)
  .superRefine((value, ctx) => {
    const problem = textProblem(value, true);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const freeText = z.string().max(255).transform(withoutRefusedCharacters);
const collected = z.strictObject({
  amount: z
    .string()
    .regex(CARRIER_AMOUNT_PATTERN, 'an IDR amount with two decimals, e.g. "125000.00"')
    .refine((a) => amountInSen(a) > 0, 'more than 0.00'),
});

export const CarrierEventSchema = z
  .object({
    event_id: identifier,
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    awb: identifier,
    reference: identifier,
    carrier: z.enum(Object.keys(CARRIERS) as [CarrierCode, ...CarrierCode[]]),
    status: z.enum(TRACKING_STATUSES),
    position: z.number().int().min(1).max(1000),
    occurred_at: z.iso.datetime({ offset: true }),
    location: freeText.optional(),
    description: freeText.optional(),
    cod_collected: collected.optional(),
  })
  .refine((e) => e.cod_collected === undefined || e.status === 'delivered', {
    path: ['cod_collected'],
    message: 'only a delivered event carries a COD collection',
  }) satisfies z.ZodType<CarrierEvent>;

/** The event (and which free-text fields had refused characters taken out), or the first problem naming its field. */
export function parseCarrierEvent(
  input: unknown,
): { ok: true; event: CarrierEvent; cleaned: string[] } | { ok: false; field: string; message: string } {
  const parsed = CarrierEventSchema.safeParse(input);
  if (parsed.success) {
    const sent = input as Record<string, unknown>;
    const cleaned = (['location', 'description'] as const).filter((f) => sent[f] !== parsed.data[f]);
    return { ok: true, event: parsed.data, cleaned };
  }
  const issue = parsed.error.issues[0];
  return { ok: false, field: issue?.path.join('.') || 'body', message: issue?.message ?? 'invalid carrier event' };
}
