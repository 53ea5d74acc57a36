-- Notes written with complaint actions (seller, buyer, operator): free text stays in the order
-- service's store, and the complaint workflow is handed only the note's id (issue 20, item 6).
CREATE TABLE "orders"."complaint_notes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "complaint_id" UUID NOT NULL,
    "author" VARCHAR(20) NOT NULL,
    "action" VARCHAR(30) NOT NULL,
    "text" TEXT NOT NULL,
    "step" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "complaint_notes_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "complaint_notes_complaint_id_created_at_idx" ON "orders"."complaint_notes"("complaint_id", "created_at");

ALTER TABLE "orders"."complaint_notes" ADD CONSTRAINT "complaint_notes_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "orders"."complaints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
