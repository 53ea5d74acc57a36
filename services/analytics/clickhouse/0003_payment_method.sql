-- Issue 21: payment events carry the method (card, bank_transfer, qris, ewallet); the dashboard's
-- method mix and per-method conversion group on it. Rows written before are '' (no method).
ALTER TABLE {database}.events ADD COLUMN payment_method String DEFAULT '' AFTER reason;
