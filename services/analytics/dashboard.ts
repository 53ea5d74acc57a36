/**
 * The operator dashboard's figures for one window, and the order series behind its charts: money
 * as two-place strings (from exact sen), rates as fractions, empty periods as zero.
 */
import { averageSen, fromSen } from './money';
import { bucketOf, bucketsBetween, lastDays, type Granularity, type Window } from './periods';
import type { AnalyticsQueries, PromotionDay, VoucherSpend } from './queries';

export const TOP_N = 5;
/** How many zero-result searches a window lists: the catalog's or the synonyms' gaps, worst first. */
export const NO_RESULTS_N = 10;
export const WINDOWS = { today: 1, '7d': 7, '30d': 30 } as const;

const fraction = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** The method mix (each method's share of the payments started) and each method's conversion (started → paid). */
function paymentMix(methods: { method: string; started: number; paid: number }[]) {
  const started = methods.reduce((n, m) => n + m.started, 0);
  return methods.map((m) => ({
    method: m.method,
    started: m.started,
    paid: m.paid,
    share: fraction(m.started, started),
    conversion: fraction(m.paid, m.started),
  }));
}

/**
 * What vouchers cost in the window, on sold orders only (the counted_orders rule): per day, every
 * day of the window (zero when none), the discounts on lines and on shipping; per voucher, its
 * orders and its spend. The two add up to the same total: each order's discounts are its vouchers'.
 */
function promotionSpend(w: Window, days: PromotionDay[], vouchers: VoucherSpend[]) {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const discount = days.reduce((s, d) => s + d.discount_sen, 0n);
  const shipping = days.reduce((s, d) => s + d.shipping_discount_sen, 0n);
  return {
    orders: days.reduce((n, d) => n + d.orders, 0),
    discount: fromSen(discount),
    shipping_discount: fromSen(shipping),
    total: fromSen(discount + shipping),
    by_day: bucketsBetween(w.from, w.to, 'day').map((date) => {
      const d = byDate.get(date);
      return {
        date,
        orders: d?.orders ?? 0,
        discount: fromSen(d?.discount_sen ?? 0n),
        shipping_discount: fromSen(d?.shipping_discount_sen ?? 0n),
      };
    }),
    by_voucher: vouchers.map((v) => ({
      voucher_id: v.voucher_id,
      code: v.code,
      name: v.name,
      kind: v.kind,
      orders: v.orders,
      spend: fromSen(v.spend_sen),
    })),
  };
}

/** One window's figures. */
async function windowFigures(q: AnalyticsQueries, w: Window) {
  const [days, outcomes, funnel, products, categories, noResults, methods, promoDays, vouchers] = await Promise.all([
    q.ordersByDay(w),
    q.orderOutcomes(w),
    q.funnel(w),
    q.topProducts(w, TOP_N),
    q.topCategories(w, TOP_N),
    q.noResultSearches(w, NO_RESULTS_N),
    q.paymentMethods(w),
    q.promotionByDay(w),
    q.voucherSpend(w),
  ]);
  const orders = days.reduce((n, d) => n + d.orders, 0);
  const gmv = days.reduce((s, d) => s + d.revenue_sen, 0n);
  const succeeded = outcomes.get('payment.succeeded') ?? 0;
  const failed = outcomes.get('payment.failed') ?? 0;
  const cancelled = [...outcomes].filter(([k]) => k.startsWith('order.cancelled:') && k !== 'order.cancelled:expired');
  return {
    ...w,
    gmv: fromSen(gmv),
    paid_orders: orders,
    average_order_value: fromSen(averageSen(gmv, orders)),
    refunded_orders: outcomes.get('order.refunded') ?? 0,
    payments: { succeeded, failed },
    payment_success_rate:
      succeeded + failed === 0 ? null : Math.round((succeeded / (succeeded + failed)) * 10_000) / 10_000,
    checkouts: {
      created: outcomes.get('order.created') ?? 0,
      expired: outcomes.get('order.cancelled:expired') ?? 0,
      cancelled: cancelled.reduce((n, [, v]) => n + v, 0),
    },
    funnel: {
      registered: funnel.get('user.registered') ?? 0,
      added_to_cart: funnel.get('cart.item_added') ?? 0,
      checked_out: funnel.get('order.created') ?? 0,
      ordered: funnel.get('ordered') ?? 0,
      paid: funnel.get('paid') ?? 0,
    },
    new_shoppers: funnel.get('user.registered') ?? 0,
    top_products: products.map((p) => ({
      product_id: p.product_id,
      name: p.name || p.product_id,
      category: p.category || 'unknown',
      units: p.units,
      revenue: fromSen(p.revenue_sen),
    })),
    top_categories: categories.map((c) => ({ category: c.category, units: c.units, revenue: fromSen(c.revenue_sen) })),
    no_result_searches: noResults,
    payment_methods: paymentMix(methods),
    promotion_spend: promotionSpend(w, promoDays, vouchers),
  };
}

export type WindowFigures = Awaited<ReturnType<typeof windowFigures>>;

export function createDashboard(q: AnalyticsQueries) {
  return {
    /** Today, the last 7 and the last 30 UTC days, each ending today. */
    async dashboard(today: string) {
      const entries = await Promise.all(
        Object.entries(WINDOWS).map(
          async ([name, days]) => [name, await windowFigures(q, lastDays(today, days))] as const,
        ),
      );
      return {
        timezone: 'UTC' as const,
        windows: Object.fromEntries(entries) as Record<keyof typeof WINDOWS, WindowFigures>,
      };
    },

    /** Net paid orders, revenue and average order value per period, from..to inclusive. */
    async orders(w: Window, granularity: Granularity) {
      const sums = new Map(bucketsBetween(w.from, w.to, granularity).map((b) => [b, { orders: 0, sen: 0n }]));
      for (const d of await q.ordersByDay(w)) {
        const s = sums.get(bucketOf(d.date, granularity))!;
        s.orders += d.orders;
        s.sen += d.revenue_sen;
      }
      return [...sums].map(([period, s]) => ({
        period_start: period,
        orders: s.orders,
        revenue: fromSen(s.sen),
        average_order_value: fromSen(averageSen(s.sen, s.orders)),
      }));
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
