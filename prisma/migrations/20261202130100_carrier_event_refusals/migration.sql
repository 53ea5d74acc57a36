-- Carrier events refused because they contradict themselves (issue 20): an airway bill and a
-- reference naming different parcels, or a carrier other than the booking's. Nothing applies
-- them; this is the operators' record of each, once per event id and entry path.
CREATE TABLE "transport"."carrier_event_refusals" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_id" VARCHAR(100) NOT NULL,
    "source" VARCHAR(20) NOT NULL,
    "reason" VARCHAR(50) NOT NULL,
    "awb" VARCHAR(100) NOT NULL,
    "reference" VARCHAR(100) NOT NULL,
    "carrier" VARCHAR(50) NOT NULL,
    "shipment_ids" UUID[],
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "carrier_event_refusals_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "carrier_event_refusals_event_id_source_key" ON "transport"."carrier_event_refusals"("event_id", "source");
CREATE INDEX "carrier_event_refusals_received_idx" ON "transport"."carrier_event_refusals"("received_at");
