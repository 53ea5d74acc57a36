-- The seed's analytics tables. {database} is replaced by the configured ClickHouse database.
-- Written for ClickHouse 18.16 (the local stack) and current versions alike.
CREATE TABLE IF NOT EXISTS {database}.events (
    id UUID,
    event_type String,
    user_id UUID,
    data String,
    created_at DateTime DEFAULT now()
) ENGINE = MergeTree()
ORDER BY (event_type, created_at);

CREATE TABLE IF NOT EXISTS {database}.order_metrics (
    date Date,
    total_orders UInt32,
    total_revenue Decimal(12,2),
    avg_order_value Decimal(12,2)
) ENGINE = SummingMergeTree()
ORDER BY date;
