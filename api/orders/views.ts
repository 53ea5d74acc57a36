/** Orders as the API returns them: the seed's columns, money as decimal strings. */
import type { OrderStatus } from '../../contracts/states';
import type { Order, OrderItem } from '../../generated/prisma/client';

export const toOrderView = (o: Order & { items: OrderItem[] }) => ({
  id: o.id,
  order_number: o.order_number,
  user_id: o.user_id,
  // The column holds only what the order store writes: a status of contracts/states.ts.
  status: o.status as OrderStatus,
  subtotal: o.subtotal.toFixed(2),
  shipping_amount: o.shipping_amount.toFixed(2),
  discount_amount: o.discount_amount.toFixed(2),
  shipping_discount: o.shipping_discount.toFixed(2),
  total_amount: o.total_amount.toFixed(2),
  shipping_service: o.shipping_service,
  shipping_address: o.shipping_address as Record<string, unknown>,
  cancel_reason: o.cancel_reason,
  items: o.items.map((i) => ({
    id: i.id,
    product_id: i.product_id,
    product_name: i.product_name,
    unit_price: i.unit_price.toFixed(2),
    quantity: i.quantity,
    total_amount: i.total_amount.toFixed(2),
  })),
  created_at: o.created_at.toISOString(),
  updated_at: o.updated_at.toISOString(),
});
