/**
 * The checkout saga's steps, each an idempotent call into one service's store. Keys come from
 * the workflow (order id, or workflow id + step), so a retried activity has no second effect.
 */
import { Prisma } from '../generated/prisma/client';
import { AppError } from '../platform/errors';
import type { InventoryStore } from '../services/catalog/inventory';
import type { CartStore } from '../services/orders/cart';
import type { PaymentStore } from '../services/payments/store';
import type { VoucherClaims } from '../services/promotions/claims';
import type { VoucherOffers } from '../services/promotions/offers';
import type { AuthService } from '../services/auth/store';
import type { UserStore } from '../services/users/store';
import { PAID_STATUSES, type OrderLine, type OrderStatus, type OrderStore } from '../services/orders/store';
import { quoteFor, type ShippingService } from '../services/shipments/rates';
import { asActivity } from './business-failure';
import { businessMetrics as metrics, counted } from '../platform/metrics/business';

export interface ValidatedCart {
  lines: (OrderLine & { weight_grams: number })[];
  subtotal: string;
  weight_grams: number;
}

export interface Totals {
  subtotal: string;
  shipping_amount: string;
  total_amount: string;
}

/** What the checkout's steps touch: the order, cart, inventory, user and payment stores, no more. */
export interface CheckoutActivityDeps {
  orders: Pick<
    OrderStore,
    'get' | 'createPending' | 'cancel' | 'applyShipping' | 'applyDiscounts' | 'markPaid' | 'markConfirmed'
  >;
  cart: Pick<CartStore, 'priced' | 'remove'>;
  inventory: Pick<InventoryStore, 'reserve' | 'release' | 'deduct'>;
  users: Pick<UserStore, 'getAddress'>;
  payments: Pick<PaymentStore, 'createIntent' | 'cancel' | 'methods' | 'cod'>;
  promotions: { claims: Pick<VoucherClaims, 'claim' | 'release'>; offers: Pick<VoucherOffers, 'clear'> };
  auth: Pick<AuthService, 'verifiedPhoneOf'>;
}

export function createCheckoutActivities(s: CheckoutActivityDeps) {
  /** COD's limits (total, refused parcels, where couriers collect), judged on the order as placed. */
  async function requireCodAllowed(input: { orderId: string; userId: string; amount: string }) {
    const order = await s.orders.get(input.orderId);
    if (!order) throw new AppError('not_found', `order ${input.orderId} not found`);
    const address = order.shipping_address as { province_name?: unknown };
    await s.payments.cod.requireAllowed({
      userId: input.userId,
      total: new Prisma.Decimal(input.amount),
      provinceName: typeof address.province_name === 'string' ? address.province_name : '',
      service: order.shipping_service === 'express' ? 'express' : 'regular',
    });
  }

  async function requirePending(orderId: string) {
    const order = await s.orders.get(orderId);
    if (order && order.status !== 'pending') {
      throw new AppError('conflict', `this checkout already ended: its order is ${order.status}`, {
        reason: 'order_settled',
        status: order.status,
      });
    }
  }

  return {
    /** Step 1: every cart line is sold, in stock and priced from the catalog now. */
    validateCart: (userId: string): Promise<ValidatedCart> =>
      asActivity(async () => {
        const cart = await s.cart.priced(userId);
        if (cart.items.length === 0) throw new AppError('conflict', 'the cart is empty', { reason: 'cart_empty' });
        for (const item of cart.items) {
          if (item.status !== 'active')
            throw new AppError('conflict', `${item.name} is no longer sold`, { product_id: item.product_id });
          if (item.quantity > item.available) {
            throw new AppError('insufficient_stock', `not enough stock for ${item.name}`, {
              product_id: item.product_id,
              requested: item.quantity,
              available: item.available,
            });
          }
        }
        const lines = cart.items.map((item) => ({
          product_id: item.product_id,
          product_name: item.name,
          unit_price: item.unit_price,
          quantity: item.quantity,
          total_amount: item.line_total,
          weight_grams: item.weight_grams,
          product_snapshot: { ...cart.products.get(item.product_id) } as Record<string, unknown>,
        }));
        return {
          lines,
          subtotal: cart.subtotal,
          weight_grams: lines.reduce((w, l) => w + l.weight_grams * l.quantity, 0),
        };
      }),

    /** Step 2: the pending order with item and address snapshots. */
    createOrder: (input: {
      orderId: string;
      orderNumber: string;
      userId: string;
      workflowId: string;
      addressId: string;
      shippingService: ShippingService;
      lines: OrderLine[];
    }) =>
      asActivity(async () => {
        const address = await s.users.getAddress(input.userId, input.addressId);
        const order = await s.orders.createPending({
          id: input.orderId,
          order_number: input.orderNumber,
          user_id: input.userId,
          workflow_id: input.workflowId,
          shipping_service: input.shippingService,
          shipping_address: { ...address, created_at: address.created_at.toISOString() },
          lines: input.lines.map(
            ({ product_id, product_name, unit_price, quantity, total_amount, product_snapshot }) => ({
              product_id,
              product_name,
              unit_price,
              quantity,
              total_amount,
              product_snapshot,
            }),
          ),
        });
        metrics.checkoutStarted();
        return {
          order_id: order.id,
          order_number: order.order_number,
          province_id: address.province_id,
          city_id: address.city_id,
        };
      }),

    cancelOrder: (orderId: string, reason: string) =>
      asActivity(() => s.orders.cancel(orderId, reason).then(counted(() => metrics.checkoutCompensated(reason)))),

    /** Step 3: only for an order still waiting to be paid (the inventory refuses a settled one too). */
    reserveStock: (orderId: string, lines: { product_id: string; quantity: number }[]) =>
      asActivity(async () => {
        await requirePending(orderId);
        await s.inventory.reserve(
          orderId,
          lines.map(({ product_id, quantity }) => ({ product_id, quantity })),
        );
      }),

    releaseStock: (orderId: string) => asActivity(async () => void (await s.inventory.release(orderId))),

    /** Step 4: the shipment service's tariff, written onto the order's totals. */
    applyShipping: (input: {
      orderId: string;
      service: ShippingService;
      provinceId: number;
      cityId: number;
      weightGrams: number;
    }) =>
      asActivity(async (): Promise<Totals> => {
        const rate = quoteFor(
          input.service,
          { province_id: input.provinceId, city_id: input.cityId },
          input.weightGrams,
        );
        const order = await s.orders.applyShipping(input.orderId, rate.cost);
        return {
          subtotal: order.subtotal.toFixed(2),
          shipping_amount: order.shipping_amount.toFixed(2),
          total_amount: order.total_amount.toFixed(2),
        };
      }),

    /**
     * Step 4b, when the shopper gave voucher codes: claims them for the order (exact under a rush,
     * once per voucher and order: services/promotions/claims.ts) against its lines and quoted
     * shipping, and takes the discounts off its total. A refused code is a business failure (409,
     * its reason): the saga undoes what it did. Its undo, releaseVouchers, gives them back.
     */
    claimVouchers: (input: { orderId: string; userId: string; codes: string[] }) =>
      asActivity(async (): Promise<Totals & { discount_amount: string; shipping_discount: string }> => {
        const order = await s.orders.get(input.orderId);
        if (!order) throw new AppError('not_found', `order ${input.orderId} not found`);
        const address = order.shipping_address as { street?: unknown; postal_code?: unknown };
        const result = await s.promotions.claims.claim({
          orderId: input.orderId,
          userId: input.userId,
          codes: input.codes,
          identity: {
            phone: await s.auth.verifiedPhoneOf(input.userId),
            address:
              typeof address.street === 'string' && typeof address.postal_code === 'string'
                ? { street: address.street, postal_code: address.postal_code }
                : null,
          },
          basket: {
            shipping: order.shipping_amount.toFixed(2),
            lines: order.items.map((i) => ({
              product_id: i.product_id,
              category: String((i.product_snapshot as { category?: unknown }).category ?? ''),
              amount: i.total_amount.toFixed(2),
            })),
          },
        });
        const updated = await s.orders.applyDiscounts(input.orderId, result.discount, result.shipping_discount);
        return {
          subtotal: updated.subtotal.toFixed(2),
          shipping_amount: updated.shipping_amount.toFixed(2),
          discount_amount: updated.discount_amount.toFixed(2),
          shipping_discount: updated.shipping_discount.toFixed(2),
          total_amount: updated.total_amount.toFixed(2),
        };
      }),

    /** Undo of claimVouchers: the budget, the use and the shopper's use back, exactly once. */
    releaseVouchers: (orderId: string) => asActivity(async () => void (await s.promotions.claims.release(orderId))),

    /** Step 5. */
    createPaymentIntent: (input: { orderId: string; userId: string; amount: string; idempotencyKey: string }) =>
      asActivity(async () => {
        if ((await s.payments.methods.of(input.orderId)).method.type === 'cod') await requireCodAllowed(input);
        const txn = await s.payments.createIntent(input);
        return { transaction_id: txn.id, intent_id: txn.gateway_transaction_id, status: txn.status };
      }),

    /**
     * Compensation of step 5: cancel the intent, or refund if the money was taken meanwhile. Never
     * for a paid order: its money moves only through the refund path (activities/refunds.ts).
     */
    cancelPayment: (orderId: string, reason: 'expired' | 'cancelled' | 'failed', idempotencyKey: string) =>
      asActivity(async () => {
        const order = await s.orders.get(orderId);
        if (order && PAID_STATUSES.includes(order.status as OrderStatus)) {
          throw new AppError('conflict', `order is ${order.status}: only the refund path may return its money`, {
            reason: 'order_paid',
          });
        }
        const ended = counted(() => metrics.checkoutEnded(reason === 'failed' ? 'declined' : reason));
        return (await s.payments.cancel(orderId, reason, idempotencyKey).then(ended))?.status ?? 'none';
      }),

    /** Step 7, on success; its undo is the refund path's restockOrder (activities/refunds.ts). */
    deductStock: (orderId: string) => asActivity(async () => void (await s.inventory.deduct(orderId))),
    /** Step 7 of a cash-on-delivery checkout, after the stock is deducted: the order ships unpaid. */
    confirmCashOnDelivery: (orderId: string) =>
      asActivity(() => s.orders.markConfirmed(orderId).then(counted(() => metrics.checkoutEnded('confirmed')))),
    markOrderPaid: (orderId: string) =>
      asActivity(() => s.orders.markPaid(orderId).then(counted(() => metrics.checkoutEnded('paid')))),
    clearCart: (userId: string, productIds: string[]) =>
      asActivity(async () => {
        for (const id of productIds) {
          // A line the shopper already removed is fine; Redis being down is not (the step retries).
          await s.cart.remove(userId, id).catch((err: unknown) => {
            if (!(err instanceof AppError && err.code === 'not_found')) throw err;
          });
        }
        // The codes added to the cart went with this order (or were passed over for others).
        await s.promotions.offers.clear(userId);
      }),
  };
}

export type CheckoutActivities = ReturnType<typeof createCheckoutActivities>;
