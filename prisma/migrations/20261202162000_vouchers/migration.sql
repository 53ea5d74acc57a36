-- Vouchers (issue 22, first slice): the promotions service's own schema. A voucher is money and a
-- limited stock at once, so its invariants live here as CHECKs as well as in the claim store's
-- conditional UPDATEs (services/promotions/claims.ts): spent and used never negative, never past
-- the budget; money NUMERIC(12,2).
CREATE SCHEMA IF NOT EXISTS "promotions";

CREATE TABLE "promotions"."vouchers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "code" VARCHAR(20) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "amount_off" DECIMAL(12,2),
    "percent_off" INTEGER,
    "max_discount" DECIMAL(12,2),
    "min_spend" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "scope_product_ids" UUID[] NOT NULL DEFAULT '{}',
    "scope_category" VARCHAR(50),
    "valid_from" TIMESTAMPTZ(6) NOT NULL,
    "valid_until" TIMESTAMPTZ(6) NOT NULL,
    "budget_amount" DECIMAL(12,2),
    "budget_uses" INTEGER,
    "spent" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "used" INTEGER NOT NULL DEFAULT 0,
    "per_shopper_limit" INTEGER NOT NULL DEFAULT 1,
    "user_id" UUID,
    "status" VARCHAR(20) NOT NULL DEFAULT 'active',
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vouchers_pkey" PRIMARY KEY ("id"),
    -- Codes are stored upper case from the unambiguous alphabet (no 0/O, 1/I/L): input is upper-cased.
    CONSTRAINT "vouchers_code_check" CHECK ("code" ~ '^[2-9A-HJKMNP-Z]{10,20}$'),
    CONSTRAINT "vouchers_kind_check" CHECK ("kind" IN ('shipping', 'discount')),
    CONSTRAINT "vouchers_status_check" CHECK ("status" IN ('active', 'paused')),
    -- shipping: an amount covered; discount: a fixed amount, or a percentage 1-100 with a cap.
    CONSTRAINT "vouchers_terms_check" CHECK (
        ("kind" = 'shipping' AND "amount_off" > 0 AND "percent_off" IS NULL AND "max_discount" IS NULL)
        OR ("kind" = 'discount' AND "amount_off" > 0 AND "percent_off" IS NULL AND "max_discount" IS NULL)
        OR ("kind" = 'discount' AND "amount_off" IS NULL AND "percent_off" BETWEEN 1 AND 100 AND "max_discount" > 0)
    ),
    CONSTRAINT "vouchers_min_spend_check" CHECK ("min_spend" >= 0),
    CONSTRAINT "vouchers_scope_check" CHECK ("scope_category" IS NULL OR cardinality("scope_product_ids") = 0),
    CONSTRAINT "vouchers_window_check" CHECK ("valid_until" > "valid_from"),
    CONSTRAINT "vouchers_budget_check" CHECK (
        ("budget_amount" IS NOT NULL OR "budget_uses" IS NOT NULL)
        AND ("budget_amount" IS NULL OR "budget_amount" > 0)
        AND ("budget_uses" IS NULL OR "budget_uses" > 0)
    ),
    CONSTRAINT "vouchers_spent_check" CHECK ("spent" >= 0 AND ("budget_amount" IS NULL OR "spent" <= "budget_amount")),
    CONSTRAINT "vouchers_used_check" CHECK ("used" >= 0 AND ("budget_uses" IS NULL OR "used" <= "budget_uses")),
    CONSTRAINT "vouchers_per_shopper_limit_check" CHECK ("per_shopper_limit" >= 1)
);

CREATE UNIQUE INDEX "vouchers_code_key" ON "promotions"."vouchers"("code");

CREATE TABLE "promotions"."voucher_claims" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "voucher_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'claimed',
    "identities" VARCHAR(80)[] NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(6),
    "returned_at" TIMESTAMPTZ(6),

    CONSTRAINT "voucher_claims_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "voucher_claims_amount_check" CHECK ("amount" >= 0),
    CONSTRAINT "voucher_claims_status_check" CHECK ("status" IN ('claimed', 'released', 'returned')),
    CONSTRAINT "voucher_claims_voucher_id_fkey" FOREIGN KEY ("voucher_id") REFERENCES "promotions"."vouchers"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "voucher_claims_voucher_id_order_id_key" ON "promotions"."voucher_claims"("voucher_id", "order_id");
CREATE INDEX "voucher_claims_order_id_idx" ON "promotions"."voucher_claims"("order_id");

CREATE TABLE "promotions"."identity_uses" (
    "voucher_id" UUID NOT NULL,
    "identity" VARCHAR(80) NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "identity_uses_pkey" PRIMARY KEY ("voucher_id", "identity"),
    CONSTRAINT "identity_uses_uses_check" CHECK ("uses" >= 0)
);

CREATE TABLE "promotions"."released_orders" (
    "order_id" UUID NOT NULL,
    "released_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "released_orders_pkey" PRIMARY KEY ("order_id")
);
