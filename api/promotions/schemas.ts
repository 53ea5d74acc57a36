/**
 * The voucher admin routes' bodies and answers. Amounts are decimal strings ("15000.00"), as all
 * money in this API; the terms (percent 1-100, positive amounts under a ceiling, a budget, a window
 * that ends after it starts) are services/promotions/terms.ts's, refined here so a 400 names the field.
 * Types only in zod; ranges in terms.ts, so each problem is named once. Bodies are strict: `spent`, `used`, `code` and the like are the store's to set, never the caller's.
 */
import { z } from '@hono/zod-openapi';
import { nameText } from '../schemas';
import {
  changeProblems,
  newVoucherProblems,
  MAX_SCOPE_PRODUCTS,
  type TermProblem,
} from '../../services/promotions/terms';

const ISO = z.iso.datetime({ offset: true });
/** An ISO 8601 instant from 2000 on (Postgres has no year 0, and a voucher is for this era): one check, one message. */
const isInstant = (t: string) => {
  const ms = new Date(t).getTime();
  return ISO.safeParse(t).success && ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(10000, 0, 1);
};
const instant = z
  .string()
  .refine(isInstant, 'an ISO 8601 date-time with its offset, from the year 2000 on')
  .openapi({ format: 'date-time', example: '2026-12-12T00:00:00+07:00' });

const amount = (description: string) =>
  z
    .string()
    .max(20)
    .openapi({ description: `${description}; a decimal string such as "15000.00"`, example: '15000.00' });

const addProblems = (problems: TermProblem[], ctx: z.RefinementCtx) => {
  for (const p of problems) ctx.addIssue({ code: 'custom', message: p.message, path: [p.field] });
};

export const NewVoucherBody = z
  .strictObject({
    name: nameText(100).openapi({ example: 'Gratis Ongkir 12.12' }),
    kind: z.enum(['shipping', 'discount']),
    amount_off: amount('shipping: the most of the shipping covered; discount: the fixed amount off').optional(),
    percent_off: z
      .number()
      .optional()
      .openapi({ description: 'a discount of 1-100 percent (a whole number)', minimum: 1, maximum: 100 }),
    max_discount: amount('the cap of a percentage discount (required with percent_off)').optional(),
    min_spend: amount("the least the voucher's eligible lines must add up to").optional(),
    scope_product_ids: z.array(z.string().uuid()).max(MAX_SCOPE_PRODUCTS).optional(),
    scope_category: z.string().trim().min(1).max(50).optional(),
    valid_from: instant,
    valid_until: instant,
    budget_amount: amount('the most the voucher may take off in all').optional(),
    budget_uses: z.number().optional().openapi({ description: 'how many orders may carry it in all' }),
    per_shopper_limit: z.number().optional().openapi({ description: 'uses per person (default 1)' }),
    user_id: z.string().uuid().optional().openapi({ description: 'a personal voucher: only this account may use it' }),
    status: z.enum(['active', 'paused']).optional(),
  })
  .superRefine((v, ctx) => {
    // A date zod already refused is named once, by zod.
    if (!isInstant(v.valid_from) || !isInstant(v.valid_until)) return;
    addProblems(
      newVoucherProblems({ ...v, valid_from: new Date(v.valid_from), valid_until: new Date(v.valid_until) }),
      ctx,
    );
  })
  .openapi('NewVoucher');

export const VoucherPatch = z
  .strictObject({
    name: nameText(100).optional(),
    status: z.enum(['active', 'paused']).optional(),
    valid_until: instant.optional(),
    budget_amount: amount('the new total budget; never below what is spent').optional(),
    budget_uses: z.number().optional().openapi({ description: 'the new total uses; never below those used' }),
  })
  .superRefine((v, ctx) => {
    if (Object.keys(v).length === 0) ctx.addIssue({ code: 'custom', message: 'send at least one field', path: [] });
    if (v.valid_until !== undefined && !isInstant(v.valid_until)) return;
    addProblems(changeProblems({ ...v, valid_until: v.valid_until ? new Date(v.valid_until) : undefined }), ctx);
  })
  .openapi('VoucherPatch');

export const VoucherSchema = z
  .object({
    id: z.string().uuid(),
    code: z.string().openapi({ description: 'unguessable, upper case; shoppers may type it in any case' }),
    name: z.string(),
    kind: z.string(),
    amount_off: z.string().nullable(),
    percent_off: z.number().int().nullable(),
    max_discount: z.string().nullable(),
    min_spend: z.string(),
    scope: z.object({ product_ids: z.array(z.string()), category: z.string().nullable() }),
    valid_from: z.string(),
    valid_until: z.string(),
    per_shopper_limit: z.number().int(),
    user_id: z.string().nullable(),
    status: z.string(),
    budget: z.object({
      amount: z.string().nullable(),
      uses: z.number().int().nullable(),
      spent: z.string(),
      used: z.number().int(),
      amount_left: z.string().nullable(),
      uses_left: z.number().int().nullable(),
    }),
    claims: z.object({
      claimed: z.number().int(),
      released: z.number().int(),
      returned: z.number().int(),
      recent: z.array(
        z.object({
          order_id: z.string(),
          user_id: z.string(),
          amount: z.string(),
          status: z.string(),
          created_at: z.string(),
        }),
      ),
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Voucher');
