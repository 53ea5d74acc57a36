-- Issue 21, cash on delivery: which orders count as sold, and on which day, in one place.
--
-- A card (or VA, QRIS, e-wallet) order counts on the day of its order.paid. A COD order is never
-- order.paid: its checkout ends with order.confirmed and the money arrives only when the courier
-- collects it at the door (payment.succeeded, method cod). It counts on that day, with the lines and
-- total of its order.confirmed, because until then it is a promise: refused at the door (returned,
-- payment.failed not_collected) or withdrawn or lost (order.cancelled), no money ever comes. Counting
-- it at confirmation would book revenue that a real share of COD parcels never bring and then take it
-- back days later, moving past days' figures. Either kind is taken back out by a later refund or
-- cancellation, as before. Grouping by order first keeps duplicates of any event harmless.
--
-- counted_orders is the rule. order_metrics (the daily figures) and the top products and categories
-- (services/analytics/queries.ts) read it, so they cannot disagree. ClickHouse 18.16 has no CREATE OR
-- REPLACE VIEW: order_metrics is dropped and created again, under the same name and columns.
CREATE VIEW IF NOT EXISTS {database}.counted_orders AS
SELECT
    order_id,
    counted_day AS day,
    counted_sen AS amount_sen,
    counted_pids AS item_product_ids,
    counted_qs AS item_quantities,
    counted_amts AS item_amounts_sen
FROM (
    SELECT
        order_id,
        countIf(event_type = 'order.paid') AS paid_events,
        countIf(event_type = 'order.confirmed') AS confirmed_events,
        countIf(event_type = 'payment.succeeded' AND payment_method = 'cod') AS collected_events,
        countIf(event_type IN ('order.refunded', 'order.cancelled')) AS reversal_events,
        if(paid_events > 0,
           minIf(day, event_type = 'order.paid'),
           minIf(day, event_type = 'payment.succeeded' AND payment_method = 'cod')) AS counted_day,
        anyIf(amount_sen, event_type IN ('order.paid', 'order.confirmed')) AS counted_sen,
        anyIf(item_product_ids, event_type IN ('order.paid', 'order.confirmed')) AS counted_pids,
        anyIf(item_quantities, event_type IN ('order.paid', 'order.confirmed')) AS counted_qs,
        anyIf(item_amounts_sen, event_type IN ('order.paid', 'order.confirmed')) AS counted_amts
    FROM {database}.events
    WHERE event_type IN ('order.paid', 'order.confirmed', 'payment.succeeded', 'order.refunded', 'order.cancelled')
    GROUP BY order_id
)
WHERE (paid_events > 0 OR (confirmed_events > 0 AND collected_events > 0)) AND reversal_events = 0;

DROP TABLE IF EXISTS {database}.order_metrics;

-- Net counted orders per UTC day: the same columns as 0002's view.
CREATE VIEW IF NOT EXISTS {database}.order_metrics AS
SELECT
    day AS date,
    count() AS total_orders,
    sum(amount_sen) AS total_revenue_sen,
    intDiv(sum(amount_sen), count()) AS avg_order_value_sen
FROM {database}.counted_orders
GROUP BY day;
