-- What Pasar did with each gateway webhook: applied, ignored (a type it does not know) or refused
-- (amount, currency, intent or order did not match the transaction), and why.
ALTER TABLE "payments"."webhook_events"
    ADD COLUMN "outcome" VARCHAR(20) NOT NULL DEFAULT 'applied',
    ADD COLUMN "outcome_reason" VARCHAR(100);
