-- Vouchers (issue 22): an order keeps what its vouchers took off, beside its subtotal and shipping,
-- so total = subtotal + shipping - discount - shipping discount can be read back and checked. The
-- checkout saga's voucher step sets them once, while the order is pending (services/orders/store.ts).
ALTER TABLE "orders"."orders"
    ADD COLUMN "discount_amount" DECIMAL(12,2) NOT NULL DEFAULT 0,
    ADD COLUMN "shipping_discount" DECIMAL(12,2) NOT NULL DEFAULT 0,
    ADD CONSTRAINT "orders_discounts_check" CHECK (
        "discount_amount" >= 0 AND "discount_amount" <= "subtotal"
        AND "shipping_discount" >= 0 AND "shipping_discount" <= "shipping_amount"
        AND "total_amount" = "subtotal" + "shipping_amount" - "discount_amount" - "shipping_discount"
    );
