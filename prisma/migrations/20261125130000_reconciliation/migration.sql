-- What payment reconciliation found and would not fix on its own: an amount or currency that
-- differs from the gateway's record, a payment Pasar counts that the gateway does not, an intent
-- the gateway holds that Pasar never recorded. One row per (kind, intent), seen again and again
-- until an operator resolves it.
CREATE TABLE "payments"."reconciliation_issues" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" VARCHAR(50) NOT NULL,
    "gateway" VARCHAR(50) NOT NULL,
    "intent_id" VARCHAR(255) NOT NULL,
    "order_id" UUID,
    "details" JSONB NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(6),

    CONSTRAINT "reconciliation_issues_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "reconciliation_issues_kind_gateway_intent_id_key"
    ON "payments"."reconciliation_issues"("kind", "gateway", "intent_id");
CREATE INDEX "reconciliation_issues_open_idx"
    ON "payments"."reconciliation_issues"("last_seen_at") WHERE "resolved_at" IS NULL;
