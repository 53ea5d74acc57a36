-- The carrier connection's resume point (services/transport/carrier-link.ts): per carrier stream,
-- the last seq whose event the shop acknowledged after handing it on durably. Written only by the
-- replica holding the stream's advisory lock, and only forwards (never below what it holds).
CREATE TABLE "transport"."carrier_stream_cursors" (
    "stream" VARCHAR(200) NOT NULL,
    "last_acked_seq" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "carrier_stream_cursors_pkey" PRIMARY KEY ("stream"),
    CONSTRAINT "carrier_stream_cursors_seq_check" CHECK ("last_acked_seq" >= 0)
);
