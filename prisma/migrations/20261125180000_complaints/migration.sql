-- Complaints as durable cases (workflows/complaint.ts) and partial refunds that never exceed
-- what was paid, even when two resolutions race.

-- One complaint per order, ever: a second is refused by the store and, under a race, by this index.
CREATE UNIQUE INDEX "complaints_order_id_key" ON "orders"."complaints"("order_id");
ALTER TABLE "orders"."complaints"
    ADD COLUMN "workflow_id" VARCHAR(200),
    ADD COLUMN "deadline_at" TIMESTAMPTZ(6),
    ADD COLUMN "outcome" VARCHAR(30),
    ADD COLUMN "refunded_amount" DECIMAL(12,2) NOT NULL DEFAULT 0,
    ADD COLUMN "return_tracking_number" VARCHAR(100),
    ADD COLUMN "offer_amount" DECIMAL(12,2),
    ADD COLUMN "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;
-- Operators list cases by state and by the deadline that passes next.
CREATE INDEX "complaints_status_deadline_at_idx" ON "orders"."complaints"("status", "deadline_at");

-- The running total of refunds claimed against a payment: claimed under the row's lock before the
-- gateway is asked, so two refunds racing cannot both fit; the CHECK is the last word.
ALTER TABLE "payments"."transactions"
    ADD COLUMN "refunded_total" DECIMAL(12,2) NOT NULL DEFAULT 0,
    ADD CONSTRAINT "transactions_refunded_total_within_amount" CHECK ("refunded_total" >= 0 AND "refunded_total" <= "amount");

-- Each refund of a payment (full or partial): refunding → refunded | refund_failed.
CREATE TABLE "payments"."refunds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "transaction_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "status" VARCHAR(30) NOT NULL DEFAULT 'refunding',
    "reason" VARCHAR(255),
    "idempotency_key" VARCHAR(200) NOT NULL,
    "gateway_refund_id" VARCHAR(255),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "refunds_amount_positive" CHECK ("amount" > 0),
    CONSTRAINT "refunds_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "payments"."transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "refunds_idempotency_key_key" ON "payments"."refunds"("idempotency_key");
CREATE INDEX "refunds_order_id_idx" ON "payments"."refunds"("order_id");
