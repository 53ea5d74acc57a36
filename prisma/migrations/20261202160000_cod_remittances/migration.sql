-- Cash on delivery (issue 21): the couriers remit the cash they collected in settlement reports.
-- Each remitted parcel is kept here once, by its airway bill, so reconciliation can say which
-- collected payments were never remitted, and which remittances were short or named no parcel of
-- ours. A COD payment is its transaction (method 'cod', gateway 'cod', gateway_transaction_id = the
-- airway bill once the courier collected): nothing else to add there.
CREATE TABLE "payments"."cod_remittance_items" (
    "awb" VARCHAR(100) NOT NULL,
    "remittance_id" VARCHAR(100) NOT NULL,
    "carrier" VARCHAR(20) NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "collected_at" TIMESTAMPTZ(6) NOT NULL,
    "remitted_at" TIMESTAMPTZ(6) NOT NULL,
    "order_id" UUID,
    "recorded_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),

    CONSTRAINT "cod_remittance_items_pkey" PRIMARY KEY ("awb"),
    CONSTRAINT "cod_remittance_items_amount_check" CHECK ("amount" >= 0)
);

-- The refusals count (COD parcels a shopper refused in the last 60 days) and the not-remitted
-- check read COD transactions by shopper and by status.
CREATE INDEX "transactions_cod_idx" ON "payments"."transactions"("user_id", "status") WHERE "method" = 'cod';
