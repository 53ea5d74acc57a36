-- Shipments become the shipment workflow's record (workflows/shipment.ts): one row per order
-- (order_id unique: a redelivered order.paid or a retried activity never makes a second), the
-- booking it holds now (carrier, service, AWB, the reference the carrier knows it by, which
-- attempt), the furthest point of the journey applied, and when the last tracking event came.
ALTER TABLE "transport"."shipments"
    ADD COLUMN "user_id" UUID,
    ADD COLUMN "order_number" VARCHAR(20),
    ADD COLUMN "workflow_id" VARCHAR(200),
    ADD COLUMN "carrier_service" VARCHAR(20),
    ADD COLUMN "reference" VARCHAR(100),
    ADD COLUMN "booking_attempt" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "last_position" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "last_event_at" TIMESTAMPTZ(6),
    ADD COLUMN "stuck" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "picked_up_at" TIMESTAMPTZ(6),
    ADD COLUMN "returned_at" TIMESTAMPTZ(6),
    ADD COLUMN "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ADD CONSTRAINT "shipments_status_check" CHECK ("status" IN
        ('pending', 'booked', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'returned', 'cancelled'));

DROP INDEX IF EXISTS "transport"."shipments_order_id_idx";
CREATE UNIQUE INDEX "shipments_order_id_key" ON "transport"."shipments"("order_id");
-- The intake finds a shipment by the airway bill a carrier event names, or by its reference.
CREATE UNIQUE INDEX "shipments_tracking_number_key" ON "transport"."shipments"("tracking_number");
CREATE UNIQUE INDEX "shipments_reference_key" ON "transport"."shipments"("reference");
-- The admin list by status, newest first; the stuck list.
CREATE INDEX "shipments_status_created_idx" ON "transport"."shipments"("status", "created_at");
CREATE INDEX "shipments_stuck_idx" ON "transport"."shipments"("updated_at") WHERE "stuck";

-- Tracking events keep the carrier's event id (unique: a duplicated push records nothing twice),
-- the event's place in the journey and when it was scanned, so the history reads in order.
ALTER TABLE "transport"."tracking_events"
    ADD COLUMN "event_id" VARCHAR(100),
    ADD COLUMN "awb" VARCHAR(100),
    ADD COLUMN "position" INTEGER,
    ADD COLUMN "occurred_at" TIMESTAMPTZ(6),
    ADD COLUMN "description" VARCHAR(255);
CREATE UNIQUE INDEX "tracking_events_event_id_key" ON "transport"."tracking_events"("event_id");
CREATE INDEX "tracking_events_shipment_position_idx"
    ON "transport"."tracking_events"("shipment_id", "position", "occurred_at");
