-- The wait a method's choice was made with (its expiry setting at that moment): the gateway's
-- instructions and the checkout saga's deadline both follow it, even if the setting changes.
ALTER TABLE "payments"."method_choices" ADD COLUMN "expiry_seconds" INTEGER NOT NULL DEFAULT 900;
