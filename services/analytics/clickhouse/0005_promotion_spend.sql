-- Issue 22, promotion spend: what vouchers took off each order, from its order.paid or
-- order.confirmed (the events that sell it), so the dashboard counts spend by the counted_orders rule.
--
-- discount_sen and shipping_discount_sen: the order's discount on its lines and on its shipping.
-- Rows written before this migration read them from their data (exact sen from the two-place
-- string, no float), so orders paid with a voucher before it still count. Events from before
-- issue 22 have neither field: zero.
--
-- voucher_*: one element per voucher the order claimed (id, code, name, kind, amount in sen), in the
-- same order, for ARRAY JOIN. Empty on rows written before: no event named its vouchers then.
ALTER TABLE {database}.events ADD COLUMN discount_sen Int64
    DEFAULT toInt64OrZero(splitByChar('.', visitParamExtractString(data, 'discount_amount'))[1]) * 100
          + toInt64OrZero(splitByChar('.', visitParamExtractString(data, 'discount_amount'))[2])
    AFTER payment_method;

ALTER TABLE {database}.events ADD COLUMN shipping_discount_sen Int64
    DEFAULT toInt64OrZero(splitByChar('.', visitParamExtractString(data, 'shipping_discount'))[1]) * 100
          + toInt64OrZero(splitByChar('.', visitParamExtractString(data, 'shipping_discount'))[2])
    AFTER discount_sen;

ALTER TABLE {database}.events ADD COLUMN voucher_ids Array(String) AFTER item_amounts_sen;

ALTER TABLE {database}.events ADD COLUMN voucher_codes Array(String) AFTER voucher_ids;

ALTER TABLE {database}.events ADD COLUMN voucher_names Array(String) AFTER voucher_codes;

ALTER TABLE {database}.events ADD COLUMN voucher_kinds Array(String) AFTER voucher_names;

ALTER TABLE {database}.events ADD COLUMN voucher_amounts_sen Array(Int64) AFTER voucher_kinds;
