-- A carrier event's free text (where it was scanned, what the courier wrote: a proof of delivery
-- names who took the parcel) is personal data that the shipment workflow does not need to decide
-- anything. The tracking intake keeps it here, by the carrier's event id, and signals the workflow
-- the event without it; the step that records the event reads its text back from here.
CREATE TABLE "transport"."carrier_event_texts" (
    "event_id" VARCHAR(100) NOT NULL,
    "location" VARCHAR(255),
    "description" VARCHAR(255),
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),

    CONSTRAINT "carrier_event_texts_pkey" PRIMARY KEY ("event_id")
);
