-- Payment methods (issue 21): the shopper's choice, recorded by the API before the checkout saga
-- starts, so personal data (an OVO phone number) stays here and never enters Temporal; and what
-- the gateway answered for each payment (the method, its instructions and when they expire).
CREATE TABLE "payments"."method_choices" (
    "order_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "bank" VARCHAR(20),
    "provider" VARCHAR(20),
    "phone" VARCHAR(20),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "method_choices_pkey" PRIMARY KEY ("order_id")
);

ALTER TABLE "payments"."transactions"
    ADD COLUMN "method" VARCHAR(20) NOT NULL DEFAULT 'card',
    ADD COLUMN "method_detail" VARCHAR(20),
    ADD COLUMN "instructions" JSONB,
    ADD COLUMN "expires_at" TIMESTAMPTZ(6);
