-- The stuck-work report's "payment past its expiry" (services/orders/stuck-work.ts) reads the
-- payments still waiting, oldest deadline first. Waiting payments are a sliver of the table (most
-- are settled), so a partial index on the deadline answers it without a scan of every transaction.
CREATE INDEX "transactions_waiting_expires_at_idx" ON "payments"."transactions"("expires_at")
    WHERE "status" IN ('pending', 'processing') AND "expires_at" IS NOT NULL;
