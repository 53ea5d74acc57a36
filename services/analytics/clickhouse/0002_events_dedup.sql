-- Analytics v2: one row per domain event, deduplicated by event id, and order metrics derived
-- from it. The seed's tables are kept under new names (they held no production data: nothing
-- wrote them before the analytics consumer). Written for ClickHouse 18.16 and current versions.
--
-- Why not the seed's SummingMergeTree: Kafka delivers at least once, so a redelivered order.paid
-- would be summed twice. Here a redelivery is the same row again (same id, same sorting key):
-- ReplacingMergeTree folds it away in a merge, and every query groups by id or by order first,
-- so duplicates not yet merged are never counted either. Money is Int64 sen: exact, no floats,
-- and 18.16 accepts plain numbers for it in JSONEachRow.
RENAME TABLE {database}.events TO {database}.events_seed_0001;

RENAME TABLE {database}.order_metrics TO {database}.order_metrics_seed_0001;

CREATE TABLE IF NOT EXISTS {database}.events (
    id UUID,
    event_type String,
    aggregate_id String,
    aggregate_version UInt64,
    user_id UUID,
    order_id UUID,
    amount_sen Int64,
    reason String,
    item_product_ids Array(String),
    item_quantities Array(UInt32),
    item_amounts_sen Array(Int64),
    data String,
    occurred_at DateTime,
    day Date,
    received_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (event_type, day, id);

-- Net paid orders per UTC day: an order counts on the day it was paid, unless a refund or a
-- cancellation after payment took it back. Grouping by order first makes duplicates harmless.
CREATE VIEW IF NOT EXISTS {database}.order_metrics AS
SELECT
    paid_day AS date,
    count() AS total_orders,
    sum(paid_sen) AS total_revenue_sen,
    intDiv(sum(paid_sen), count()) AS avg_order_value_sen
FROM (
    SELECT
        order_id,
        anyIf(day, event_type = 'order.paid') AS paid_day,
        anyIf(amount_sen, event_type = 'order.paid') AS paid_sen,
        countIf(event_type = 'order.paid') AS paid_events,
        countIf(event_type IN ('order.refunded', 'order.cancelled')) AS reversal_events
    FROM {database}.events
    WHERE event_type IN ('order.paid', 'order.refunded', 'order.cancelled')
    GROUP BY order_id
)
WHERE paid_events > 0 AND reversal_events = 0
GROUP BY paid_day;
