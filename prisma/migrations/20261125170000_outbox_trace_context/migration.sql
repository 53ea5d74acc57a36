-- The W3C traceparent of the transaction that wrote the event, so the relay's publish (and the
-- consumers after it) continue that request's trace. NULL for rows written while nothing traced.
ALTER TABLE outbox.events ADD COLUMN IF NOT EXISTS traceparent VARCHAR(55);
