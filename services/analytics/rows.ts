/**
 * Turns a domain event into its ClickHouse `events` row: the envelope, the columns the dashboard
 * filters and sums on (user, order, amount in sen, order lines), and the whole data as JSON for
 * anything else. A field an event type does not have is the column's zero value.
 */
import type { CatalogEvent } from '../../platform/event-catalog';
import { toSen } from './money';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EventRow {
  id: string;
  event_type: string;
  aggregate_id: string;
  aggregate_version: number;
  user_id: string;
  order_id: string;
  /** Int64 sen as a JSON number: exact up to 2^53 sen (90 trillion rupiah), far beyond one order. */
  amount_sen: number;
  reason: string;
  /** A payment event's method (card, bank_transfer, qris, ewallet, cod); '' for other events. */
  payment_method: string;
  item_product_ids: string[];
  item_quantities: number[];
  item_amounts_sen: number[];
  /** What the order's vouchers took off its lines and its shipping (order events since issue 22; else 0). */
  discount_sen: number;
  shipping_discount_sen: number;
  /** The order's vouchers, one element each, aligned (order.paid and order.confirmed; else empty). */
  voucher_ids: string[];
  voucher_codes: string[];
  voucher_names: string[];
  voucher_kinds: string[];
  voucher_amounts_sen: number[];
  data: string;
  /** 'YYYY-MM-DD hh:mm:ss' in UTC; the stack's ClickHouse runs in UTC. */
  occurred_at: string;
  /** The UTC day the dashboard buckets by. */
  day: string;
}

const uuidOr0 = (v: unknown) => (typeof v === 'string' && UUID_RE.test(v) ? v : ZERO_UUID);

export function toEventRow(event: CatalogEvent): EventRow {
  const d = event.data as Record<string, unknown>;
  const iso = new Date(event.occurred_at).toISOString();
  const amount = typeof d.total_amount === 'string' ? d.total_amount : typeof d.amount === 'string' ? d.amount : null;
  const items = (Array.isArray(d.items) ? d.items : []) as {
    product_id: string;
    quantity: number;
    unit_price: string;
  }[];
  const vouchers = (Array.isArray(d.vouchers) ? d.vouchers : []) as {
    voucher_id: string;
    code: string;
    name: string;
    kind: string;
    amount: string;
  }[];
  const sen = (v: unknown) => (typeof v === 'string' ? Number(toSen(v)) : 0);
  return {
    id: event.id,
    event_type: event.type,
    aggregate_id: event.aggregate_id,
    aggregate_version: event.aggregate_version,
    user_id: uuidOr0(d.user_id),
    order_id: uuidOr0(d.order_id),
    amount_sen: amount === null ? 0 : Number(toSen(amount)),
    reason: typeof d.reason === 'string' ? d.reason : '',
    payment_method: event.type.startsWith('payment.') && typeof d.method === 'string' ? d.method : '',
    item_product_ids: items.map((i) => i.product_id),
    item_quantities: items.map((i) => i.quantity),
    item_amounts_sen: items.map((i) => Number(toSen(i.unit_price) * BigInt(i.quantity))),
    discount_sen: sen(d.discount_amount),
    shipping_discount_sen: sen(d.shipping_discount),
    voucher_ids: vouchers.map((v) => v.voucher_id),
    voucher_codes: vouchers.map((v) => v.code),
    voucher_names: vouchers.map((v) => v.name),
    voucher_kinds: vouchers.map((v) => v.kind),
    voucher_amounts_sen: vouchers.map((v) => sen(v.amount)),
    data: JSON.stringify(event.data),
    occurred_at: iso.slice(0, 19).replace('T', ' '),
    day: iso.slice(0, 10),
  };
}
