-- Operators' reasons (free text, up to 255 characters) for refunding an order and for rebooking
-- its parcel stay in the stores that own them; the shipment workflow is handed their ids only
-- (issue 20, item 6: an operator writes the shopper's bank account or phone in a reason).
CREATE TABLE "orders"."refund_requests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "order_id" UUID NOT NULL,
    "requested_by" VARCHAR(20) NOT NULL,
    "reason" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refund_requests_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "refund_requests_order_id_created_at_idx" ON "orders"."refund_requests"("order_id", "created_at");

ALTER TABLE "orders"."refund_requests" ADD CONSTRAINT "refund_requests_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"."orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "transport"."shipment_rebooks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "shipment_id" UUID NOT NULL,
    "reason" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shipment_rebooks_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "shipment_rebooks_shipment_id_created_at_idx" ON "transport"."shipment_rebooks"("shipment_id", "created_at");

ALTER TABLE "transport"."shipment_rebooks" ADD CONSTRAINT "shipment_rebooks_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "transport"."shipments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
