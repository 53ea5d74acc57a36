-- A manual refund waiting for an operator's bank transfer is not a gateway refund waiting for its
-- confirmation (issue 21): it gets its own status, awaiting_transfer, so the stuck-work report stops
-- listing it as a stuck refund and operators list it as their own work (GET /admin/refunds?status=
-- awaiting_transfer, oldest first: the index). The checks keep the two waits apart: only a manual
-- refund awaits a transfer, and a manual refund never waits for the gateway.
UPDATE "payments"."refunds" SET "status" = 'awaiting_transfer', "updated_at" = now()
WHERE "channel" = 'manual_transfer' AND "status" = 'refunding';

ALTER TABLE "payments"."refunds"
    ADD CONSTRAINT "refunds_status_check" CHECK ("status" IN ('refunding', 'awaiting_transfer', 'refunded', 'refund_failed')),
    ADD CONSTRAINT "refunds_status_channel_check" CHECK (
        ("status" <> 'awaiting_transfer' OR "channel" = 'manual_transfer')
        AND ("status" <> 'refunding' OR "channel" = 'gateway')
    );

CREATE INDEX "refunds_status_created_at_idx" ON "payments"."refunds"("status", "created_at");
