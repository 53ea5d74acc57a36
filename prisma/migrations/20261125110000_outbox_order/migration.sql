-- Events in order per aggregate, by construction (issue 7, item 6); platform/outbox/outbox.ts
-- explains why the sequence follows commit order per aggregate.

-- One row per aggregate (topic + key): its last version. Bumping it locks it until commit, which
-- queues the writers of one aggregate.
CREATE TABLE "outbox"."aggregate_versions" (
    "aggregate_type" VARCHAR(100) NOT NULL,
    "aggregate_id" VARCHAR(255) NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "aggregate_versions_pkey" PRIMARY KEY ("aggregate_type", "aggregate_id"),
    CONSTRAINT "aggregate_versions_version_positive" CHECK ("version" > 0)
);

-- The relay publishes in `sequence` order (created_at is the transaction's start, not its commit).
ALTER TABLE "outbox"."events" ADD COLUMN "sequence" BIGINT, ADD COLUMN "aggregate_version" BIGINT;
CREATE SEQUENCE "outbox"."events_sequence_seq" AS BIGINT OWNED BY "outbox"."events"."sequence";

-- Rows written before this migration: numbered in the order the old relay published them.
WITH ordered AS (
    SELECT "id",
           row_number() OVER (ORDER BY "created_at", "id") AS seq,
           row_number() OVER (PARTITION BY "topic", "key" ORDER BY "created_at", "id") AS v
    FROM "outbox"."events"
)
UPDATE "outbox"."events" e SET "sequence" = o.seq, "aggregate_version" = o.v FROM ordered o WHERE e."id" = o."id";
SELECT setval('"outbox"."events_sequence_seq"', COALESCE((SELECT max("sequence") FROM "outbox"."events"), 0) + 1, false);
INSERT INTO "outbox"."aggregate_versions" ("aggregate_type", "aggregate_id", "version")
SELECT "topic", "key", max("aggregate_version") FROM "outbox"."events" GROUP BY "topic", "key";

ALTER TABLE "outbox"."events"
    ALTER COLUMN "sequence" SET DEFAULT nextval('"outbox"."events_sequence_seq"'),
    ALTER COLUMN "sequence" SET NOT NULL,
    ALTER COLUMN "aggregate_version" SET NOT NULL,
    ADD CONSTRAINT "events_aggregate_version_positive" CHECK ("aggregate_version" > 0);
CREATE UNIQUE INDEX "events_sequence_key" ON "outbox"."events"("sequence");
CREATE UNIQUE INDEX "events_topic_key_aggregate_version_key" ON "outbox"."events"("topic", "key", "aggregate_version");

-- The relay's scan: unpublished rows in sequence order.
DROP INDEX "outbox"."events_unpublished_idx";
CREATE INDEX "events_unpublished_idx" ON "outbox"."events"("sequence") WHERE "published_at" IS NULL;
