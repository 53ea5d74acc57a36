-- Checkout: the saga's workflow id and chosen shipping on the order, product weights for
-- shipping rates, one payment per order, webhook deduplication, restocking refunded orders.

-- AlterTable
ALTER TABLE "orders"."orders" ADD COLUMN "workflow_id" VARCHAR(200),
ADD COLUMN "shipping_service" VARCHAR(20),
ADD COLUMN "cancel_reason" VARCHAR(255);
CREATE UNIQUE INDEX "orders_workflow_id_key" ON "orders"."orders"("workflow_id");

-- AlterTable
ALTER TABLE "catalog"."products" ADD COLUMN "weight_grams" INTEGER NOT NULL DEFAULT 500;
ALTER TABLE "catalog"."products" ADD CONSTRAINT "products_weight_positive" CHECK ("weight_grams" > 0);

-- Reservations of a refunded order go back on the shelf.
ALTER TABLE "catalog"."reservations" DROP CONSTRAINT "reservations_status_known";
ALTER TABLE "catalog"."reservations" ADD CONSTRAINT "reservations_status_known"
  CHECK ("status" IN ('reserved', 'released', 'deducted', 'restocked'));

-- One payment per order: a retried intent creation finds the first one.
CREATE UNIQUE INDEX "transactions_order_id_key" ON "payments"."transactions"("order_id");
CREATE UNIQUE INDEX "transactions_gateway_transaction_id_key" ON "payments"."transactions"("gateway", "gateway_transaction_id");
DROP INDEX "payments"."transactions_order_id_idx";

-- CreateTable
CREATE TABLE "payments"."webhook_events" (
    "event_id" VARCHAR(255) NOT NULL,
    "gateway" VARCHAR(50) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "order_id" UUID,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(6),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("gateway", "event_id")
);
