-- Refunds by method (issue 21, item 5): a virtual account cannot be refunded through the gateway,
-- so its refund is a manual bank transfer that an operator makes and marks done. A refund row says
-- which way it goes back; the shopper's bank account for it lives here, in the payments service,
-- and never in a workflow payload (README: personal data stays out of Temporal).
ALTER TABLE "payments"."refunds"
    ADD COLUMN "channel" VARCHAR(20) NOT NULL DEFAULT 'gateway',
    ADD COLUMN "transferred_at" TIMESTAMPTZ(6),
    ADD COLUMN "transferred_by" UUID;

ALTER TABLE "payments"."refunds" ADD CONSTRAINT "refunds_channel_check" CHECK ("channel" IN ('gateway', 'manual_transfer'));

CREATE TABLE "payments"."refund_accounts" (
    "order_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "bank_code" VARCHAR(10) NOT NULL,
    "account_number" VARCHAR(20) NOT NULL,
    "holder_name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refund_accounts_pkey" PRIMARY KEY ("order_id")
);
