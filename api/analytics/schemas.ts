/** Request and response schemas of the analytics routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors';
import { addDays, parseDay, spanDays, type Window } from '../../services/analytics/periods';

/** The longest series one request may ask for: two years of days is 731 points, already a lot to draw. */
export const MAX_SPAN_DAYS = 731;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC date, YYYY-MM-DD')
  .refine((d) => !Number.isNaN(parseDay(d).getTime()) && parseDay(d).toISOString().startsWith(d), 'not a real date')
  .openapi({ example: '2026-11-01' });

export const OrdersSeriesQuery = z.object({
  from: day.optional().openapi({ description: 'first day, inclusive (default: 29 days before `to`)' }),
  to: day.optional().openapi({ description: 'last day, inclusive (default: today, UTC)' }),
  granularity: z.enum(['day', 'week', 'month']).default('day'),
});

const badRange = (message: string) =>
  new AppError('validation_failed', 'invalid query', [{ field: 'from', in: 'query', message }]);

/** The series' days after defaults: from ≤ to and at most MAX_SPAN_DAYS, else a 400 naming `from`. */
export function seriesWindow(q: { from?: string; to?: string }, today: string): Window {
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -29);
  if (from > to) throw badRange(`from (${from}) must not be after to (${to})`);
  if (spanDays(from, to) > MAX_SPAN_DAYS) throw badRange(`at most ${MAX_SPAN_DAYS} days from from to to`);
  return { from, to };
}

const money = z.string().openapi({ example: '125000.00' });
const count = z.number().int();

const WindowSchema = z.object({
  from: z.string(),
  to: z.string(),
  gmv: money.openapi({
    description:
      'total of orders paid in the window (cash on delivery: collected at the door in the window) and not refunded or cancelled since',
  }),
  paid_orders: count.openapi({ description: 'the orders counted in gmv' }),
  average_order_value: money,
  refunded_orders: count,
  payments: z.object({ succeeded: count, failed: count }),
  payment_success_rate: z
    .number()
    .nullable()
    .openapi({ description: 'succeeded / (succeeded + failed); null when none' }),
  checkouts: z.object({ created: count, expired: count, cancelled: count }),
  funnel: z
    .object({
      registered: count,
      added_to_cart: count,
      checked_out: count,
      ordered: count.openapi({ description: 'placed an order: paid it online, or confirmed it cash on delivery' }),
      paid: count.openapi({ description: 'paid online, or paid the courier cash on delivery' }),
    })
    .openapi({ description: 'of the shoppers who registered in the window, how many reached each step since' }),
  new_shoppers: count,
  top_products: z.array(
    z.object({ product_id: z.string(), name: z.string(), category: z.string(), units: count, revenue: money }),
  ),
  top_categories: z.array(z.object({ category: z.string(), units: count, revenue: money })),
  no_result_searches: z
    .array(z.object({ query: z.string(), searches: count, did_you_mean: z.string().nullable() }))
    .openapi({ description: 'searches that found nothing, by query (lower-cased), most searched first' }),
  payment_methods: z
    .array(
      z.object({
        method: z.string().openapi({ example: 'bank_transfer' }),
        started: count,
        paid: count,
        share: z.number().nullable().openapi({ description: "this method's share of the payments started" }),
        conversion: z.number().nullable().openapi({ description: 'paid / started; null when none started' }),
      }),
    )
    .openapi({
      description:
        'the method mix: orders whose payment started with each method (a switch counts for both) and those paid by it',
    }),
  promotion_spend: z
    .object({
      orders: count.openapi({ description: 'sold orders with a voucher discount' }),
      discount: money.openapi({ description: 'taken off the lines' }),
      shipping_discount: money.openapi({ description: 'taken off the shipping (gratis ongkir)' }),
      total: money,
      by_day: z.array(z.object({ date: z.string(), orders: count, discount: money, shipping_discount: money })),
      by_voucher: z.array(
        z.object({
          voucher_id: z.string(),
          code: z.string(),
          name: z.string(),
          kind: z.string().openapi({ example: 'shipping' }),
          orders: count,
          spend: money,
        }),
      ),
    })
    .openapi({
      description:
        'what vouchers took off orders sold in the window (by the rule of gmv: paid, or cash collected, and not refunded or cancelled since), per UTC day of the sale (every day, zero when none) and per voucher, most spent first',
    }),
});

export const DashboardSchema = z
  .object({
    timezone: z.literal('UTC'),
    windows: z.object({ today: WindowSchema, '7d': WindowSchema, '30d': WindowSchema }),
  })
  .openapi('AnalyticsDashboard');

export const OrdersSeriesSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    granularity: z.enum(['day', 'week', 'month']),
    data: z.array(z.object({ period_start: z.string(), orders: count, revenue: money, average_order_value: money })),
  })
  .openapi('AnalyticsOrdersSeries');
