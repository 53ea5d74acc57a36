-- Identity and catalog: roles and verification flags, case-insensitive unique emails, one
-- default address per user, product categories, keyed stock reservations, the event outbox.
CREATE SCHEMA IF NOT EXISTS "outbox";

-- AlterTable
ALTER TABLE "auth"."credentials" ADD COLUMN "role" VARCHAR(20) NOT NULL DEFAULT 'customer',
ADD COLUMN "phone_verified" BOOLEAN NOT NULL DEFAULT false;

-- Emails are unique whatever their case ("Ani@x.id" and "ani@x.id" are one account).
CREATE UNIQUE INDEX "credentials_email_lower_key" ON "auth"."credentials"(lower("email"));
CREATE UNIQUE INDEX "users_email_lower_key" ON "users"."users"(lower("email"));

-- At most one default address per user.
CREATE UNIQUE INDEX "addresses_one_default_per_user" ON "users"."addresses"("user_id") WHERE "is_default";

-- AlterTable
ALTER TABLE "catalog"."products" ADD COLUMN "category" VARCHAR(50) NOT NULL DEFAULT 'general';
CREATE INDEX "products_status_price_idx" ON "catalog"."products"("status", "price");
CREATE INDEX "products_status_created_at_idx" ON "catalog"."products"("status", "created_at");

-- CreateTable
CREATE TABLE "catalog"."reservations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "order_id" VARCHAR(100) NOT NULL,
    "product_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'reserved',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "reservations_quantity_positive" CHECK ("quantity" > 0),
    CONSTRAINT "reservations_status_known" CHECK ("status" IN ('reserved', 'released', 'deducted'))
);
CREATE UNIQUE INDEX "reservations_order_id_product_id_key" ON "catalog"."reservations"("order_id", "product_id");
ALTER TABLE "catalog"."reservations" ADD CONSTRAINT "reservations_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "catalog"."products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "outbox"."events" (
    "id" UUID NOT NULL,
    "topic" VARCHAR(100) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(6),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "events_unpublished_idx" ON "outbox"."events"("created_at") WHERE "published_at" IS NULL;
