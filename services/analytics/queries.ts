/**
 * The SQL behind the dashboard, in the dialect ClickHouse 18.16 and current versions share (no
 * server-side parameters on 18.16: the only values inlined are 'YYYY-MM-DD' days this code made).
 * Every count is immune to redelivered events: orders are grouped by order id and shoppers are
 * counted with uniqExact, so a duplicate row not yet merged away changes nothing.
 */
import type { ClickHouseClient } from '../../platform/clients/clickhouse';
import { withClickHouse } from './outage';
import type { Window } from './periods';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const inWindow = (w: Window) => {
  if (!DAY.test(w.from) || !DAY.test(w.to)) throw new Error(`bad window ${w.from}..${w.to}`);
  return `day >= '${w.from}' AND day <= '${w.to}'`;
};
/**
 * Each order counted as sold in the window, once, with its lines: paid online on that day, or cash
 * on delivery collected on that day, and not refunded or cancelled since. The rule lives in the
 * `counted_orders` view (clickhouse/0004_cod_counted_orders.sql), which order_metrics reads too.
 */
const netPaidLines = (w: Window) => `
  SELECT order_id, item_product_ids AS pids, item_quantities AS qs, item_amounts_sen AS amts
  FROM counted_orders
  WHERE ${inWindow(w)}`;
/** The orders a courier collected cash on delivery for: a COD order's payment happens at the door. */
const COD_COLLECTED = `SELECT order_id FROM events WHERE event_type = 'payment.succeeded' AND payment_method = 'cod'`;
/** Each product's latest name and category, from its product.upserted events. */
const PRODUCTS = `
  SELECT aggregate_id AS product_id,
         argMax(visitParamExtractString(data, 'name'), aggregate_version) AS name,
         argMax(visitParamExtractString(data, 'category'), aggregate_version) AS category
  FROM events WHERE event_type = 'product.upserted' GROUP BY aggregate_id`;

/**
 * What each sold order's vouchers took off, on the day it counts (counted_orders): the discounts
 * and the vouchers come from its order.paid or order.confirmed (order.created has none), grouped
 * by order first so a redelivered event adds nothing.
 */
const promotedOrders = (w: Window) => `
  SELECT order_id, day, off_sen, ship_off_sen, vids, vcodes, vnames, vkinds, vamts, sold_at
  FROM (SELECT order_id, day FROM counted_orders WHERE ${inWindow(w)})
  ANY INNER JOIN (
    SELECT order_id,
           any(discount_sen) AS off_sen,
           any(shipping_discount_sen) AS ship_off_sen,
           any(voucher_ids) AS vids,
           any(voucher_codes) AS vcodes,
           any(voucher_names) AS vnames,
           any(voucher_kinds) AS vkinds,
           any(voucher_amounts_sen) AS vamts,
           max(occurred_at) AS sold_at
    FROM events
    WHERE event_type IN ('order.paid', 'order.confirmed')
      AND (discount_sen > 0 OR shipping_discount_sen > 0 OR notEmpty(voucher_ids))
    GROUP BY order_id
  ) USING order_id`;

export interface PromotionDay {
  date: string;
  orders: number;
  discount_sen: bigint;
  shipping_discount_sen: bigint;
}

export interface VoucherSpend {
  voucher_id: string;
  code: string;
  name: string;
  kind: string;
  orders: number;
  spend_sen: bigint;
}

export interface DayMetrics {
  date: string;
  orders: number;
  revenue_sen: bigint;
}

export interface ProductFigure {
  product_id: string;
  name: string;
  category: string;
  units: number;
  revenue_sen: bigint;
}

export function createAnalyticsQueries(clickhouse: ClickHouseClient) {
  const rows = <T>(query: string) =>
    withClickHouse(async () => (await clickhouse.query({ query, format: 'JSONEachRow' })).json<T>());
  const countsBy = async (query: string) =>
    new Map((await rows<{ k: string; n: string }>(query)).map((r) => [r.k, Number(r.n)]));

  return {
    /** Net paid orders and revenue per day (the order_metrics view), days without orders left out. */
    async ordersByDay(w: Window): Promise<DayMetrics[]> {
      const r = await rows<{ date: string; total_orders: string; total_revenue_sen: string }>(
        `SELECT date, total_orders, total_revenue_sen FROM order_metrics
         WHERE date >= '${w.from}' AND date <= '${w.to}' ORDER BY date`,
      );
      return r.map((x) => ({ date: x.date, orders: Number(x.total_orders), revenue_sen: BigInt(x.total_revenue_sen) }));
    },

    /**
     * Distinct orders per event type (payments, cancellations by reason, refunds) in the window. A
     * cancellation counts as a cancelled checkout only before the checkout completed: an order
     * cancelled after order.paid, or a COD order withdrawn or lost after its order.confirmed, had
     * its checkout succeed. A COD payment counts when it ends: succeeded on collection,
     * failed (not_collected) when the parcel came back, as a declined card does.
     */
    orderOutcomes: (w: Window) =>
      countsBy(`
        SELECT concat(event_type, if(event_type = 'order.cancelled', concat(':', reason), '')) AS k,
               uniqExact(order_id) AS n
        FROM events
        WHERE event_type IN ('payment.succeeded', 'payment.failed', 'order.created', 'order.refunded', 'order.cancelled')
          AND ${inWindow(w)}
          AND NOT (event_type = 'order.cancelled'
                   AND order_id IN (SELECT order_id FROM events WHERE event_type IN ('order.paid', 'order.confirmed')))
        GROUP BY k`),

    /**
     * Of the shoppers who registered in the window, how many reached each step (at any time since):
     * registered, cart.item_added, order.created, `ordered` (an order placed: paid online, or
     * confirmed cash on delivery, which is how a COD shopper converts) and `paid` (money received:
     * paid online, or the COD cash collected). Each step's shoppers are within the step before.
     */
    funnel: (w: Window) =>
      countsBy(`
        SELECT k, uniqExact(user_id) AS n
        FROM (
          SELECT event_type AS k, user_id FROM events
          WHERE event_type IN ('user.registered', 'cart.item_added', 'order.created')
          UNION ALL
          SELECT 'ordered' AS k, user_id FROM events WHERE event_type IN ('order.paid', 'order.confirmed')
          UNION ALL
          SELECT 'paid' AS k, user_id FROM events
          WHERE event_type = 'order.paid' OR (event_type = 'order.confirmed' AND order_id IN (${COD_COLLECTED}))
        )
        WHERE user_id IN (SELECT user_id FROM events WHERE event_type = 'user.registered' AND ${inWindow(w)})
        GROUP BY k`),

    async topProducts(w: Window, limit: number): Promise<ProductFigure[]> {
      const r = await rows<{ product_id: string; name: string; category: string; units: string; revenue_sen: string }>(`
        SELECT product_id, name, category, units, revenue_sen FROM (
          SELECT product_id, sum(qty) AS units, sum(amount) AS revenue_sen
          FROM (${netPaidLines(w)}) ARRAY JOIN pids AS product_id, qs AS qty, amts AS amount
          GROUP BY product_id
        ) ANY LEFT JOIN (${PRODUCTS}) USING product_id
        ORDER BY revenue_sen DESC, product_id LIMIT ${Math.trunc(limit)}`);
      return r.map((x) => ({ ...x, units: Number(x.units), revenue_sen: BigInt(x.revenue_sen) }));
    },

    /**
     * Per payment method, the orders whose payment started with it (payment.started; a switch
     * counts for both methods) and those paid by it (payment.succeeded), in the window.
     */
    async paymentMethods(w: Window) {
      const r = await rows<{ method: string; started: string; paid: string }>(`
        SELECT payment_method AS method,
               uniqExactIf(order_id, event_type = 'payment.started') AS started,
               uniqExactIf(order_id, event_type = 'payment.succeeded') AS paid
        FROM events
        WHERE event_type IN ('payment.started', 'payment.succeeded') AND payment_method != '' AND ${inWindow(w)}
        GROUP BY method ORDER BY started DESC, method`);
      return r.map((x) => ({ method: x.method, started: Number(x.started), paid: Number(x.paid) }));
    },

    /** Searches that found nothing (search.no_results), by query, most searched first. */
    async noResultSearches(w: Window, limit: number) {
      const r = await rows<{ query: string; searches: string; did_you_mean: string }>(`
        SELECT aggregate_id AS query, uniqExact(id) AS searches,
               any(visitParamExtractString(data, 'did_you_mean')) AS did_you_mean
        FROM events
        WHERE event_type = 'search.no_results' AND ${inWindow(w)}
        GROUP BY query ORDER BY searches DESC, query LIMIT ${Math.trunc(limit)}`);
      return r.map((x) => ({ query: x.query, searches: Number(x.searches), did_you_mean: x.did_you_mean || null }));
    },

    /** Per day, the sold orders with a discount and what the vouchers took off their lines and shipping. */
    async promotionByDay(w: Window): Promise<PromotionDay[]> {
      const r = await rows<{ date: string; orders: string; discount_sen: string; shipping_discount_sen: string }>(`
        SELECT day AS date, count() AS orders,
               sum(off_sen) AS discount_sen, sum(ship_off_sen) AS shipping_discount_sen
        FROM (${promotedOrders(w)})
        GROUP BY date ORDER BY date`);
      return r.map((x) => ({
        date: x.date,
        orders: Number(x.orders),
        discount_sen: BigInt(x.discount_sen),
        shipping_discount_sen: BigInt(x.shipping_discount_sen),
      }));
    },

    /**
     * Per voucher, the sold orders that used it and what it took off them, most spent first. Its
     * code, name and kind are those of its latest sale (a name may be edited; the code never is).
     */
    async voucherSpend(w: Window): Promise<VoucherSpend[]> {
      const r = await rows<{
        voucher_id: string;
        code: string;
        name: string;
        kind: string;
        orders: string;
        spend_sen: string;
      }>(`
        SELECT voucher_id,
               argMax(vcode, sold_at) AS code, argMax(vname, sold_at) AS name, argMax(vkind, sold_at) AS kind,
               uniqExact(order_id) AS orders, sum(vamt) AS spend_sen
        FROM (${promotedOrders(w)})
        ARRAY JOIN vids AS voucher_id, vcodes AS vcode, vnames AS vname, vkinds AS vkind, vamts AS vamt
        GROUP BY voucher_id ORDER BY spend_sen DESC, code`);
      return r.map((x) => ({ ...x, orders: Number(x.orders), spend_sen: BigInt(x.spend_sen) }));
    },

    async topCategories(w: Window, limit: number) {
      const r = await rows<{ category: string; units: string; revenue_sen: string }>(`
        SELECT if(category = '', 'unknown', category) AS category, sum(units) AS units, sum(revenue_sen) AS revenue_sen
        FROM (
          SELECT product_id, sum(qty) AS units, sum(amount) AS revenue_sen
          FROM (${netPaidLines(w)}) ARRAY JOIN pids AS product_id, qs AS qty, amts AS amount
          GROUP BY product_id
        ) ANY LEFT JOIN (${PRODUCTS}) USING product_id
        GROUP BY category ORDER BY revenue_sen DESC, category LIMIT ${Math.trunc(limit)}`);
      return r.map((x) => ({ category: x.category, units: Number(x.units), revenue_sen: BigInt(x.revenue_sen) }));
    },
  };
}

export type AnalyticsQueries = ReturnType<typeof createAnalyticsQueries>;
