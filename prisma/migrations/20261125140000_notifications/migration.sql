-- Notifications become deliveries: each row is one message on one channel, pending until the
-- sender (services/notifications/sender.ts) hands it to the mail server, then sent or failed.
-- (event_id, channel) is unique, so an event delivered again by Kafka never makes a second row;
-- rows not caused by an event (OTP, reset codes, account notices) leave event_id NULL.
ALTER TABLE "notifications"."notifications"
    ADD COLUMN "event_id" UUID,
    ADD COLUMN "html" TEXT,
    ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "last_error" TEXT,
    ADD COLUMN "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ADD COLUMN "sent_at" TIMESTAMPTZ(6),
    ADD COLUMN "read_at" TIMESTAMPTZ(6),
    ADD CONSTRAINT "notifications_status_check" CHECK ("status" IN ('pending', 'sent', 'failed'));

CREATE UNIQUE INDEX "notifications_event_id_channel_key"
    ON "notifications"."notifications"("event_id", "channel");
-- The sender's queue: pending rows oldest first (a partial index stays small as rows are sent).
CREATE INDEX "notifications_pending_idx"
    ON "notifications"."notifications"("created_at", "id") WHERE "status" = 'pending';
-- The unread count of GET /notifications.
CREATE INDEX "notifications_unread_idx"
    ON "notifications"."notifications"("user_id") WHERE "read_at" IS NULL;
