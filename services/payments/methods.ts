/**
 * Payment methods, as Pasar decides them: how long each waits for its money (one setting each,
 * platform/config.ts), what a shopper may use for their cart and why not, and the shopper's choice
 * for an order, recorded before its checkout starts. The choice holds the only personal data a
 * method needs (an OVO phone number): the checkout saga and its activities pass the order id, and
 * the payment store reads the choice here, so the number never enters Temporal.
 */
import { Prisma } from '../../generated/prisma/client';
import {
  EWALLET_PROVIDERS,
  VA_BANKS,
  type PaymentMethod,
  type PaymentMethodType,
} from '../../contracts/payment-methods';
import type { Db } from '../../platform/clients/prisma';
import type { Config } from '../../platform/config';
import type { CodRefusal } from './cod';

/** Bank Indonesia's ceiling on one QRIS payment (Rp 10,000,000). */
export const QRIS_MAX_AMOUNT = new Prisma.Decimal('10000000.00');

export type MethodExpiry = Pick<Config['payments'], 'expirySeconds' | 'methodExpirySeconds'>;

/** How long a method's payment waits (the saga waits as long, then releases the reservation). */
export function expiryFor(method: PaymentMethod, expiry: MethodExpiry): number {
  switch (method.type) {
    case 'card':
      return expiry.expirySeconds;
    case 'ewallet':
      return method.provider === 'ovo' ? expiry.methodExpirySeconds.ovo : expiry.methodExpirySeconds.ewallet;
    case 'cod':
      // Nothing to wait for: the checkout confirms a COD order at once and the courier collects.
      return 0;
    default:
      return expiry.methodExpirySeconds[method.type];
  }
}

export interface MethodOffer {
  type: PaymentMethodType;
  available: boolean;
  /** Why not, when not available: a stable code a client can translate. */
  reason?: 'cart_empty' | 'above_qris_limit' | CodRefusal;
  banks?: string[];
  providers?: string[];
  expiry_seconds?: number;
}

/**
 * What a cart of `subtotal` may be paid with, and why not for the rest. `codRefusal`: why this
 * shopper may not pay on delivery (services/payments/cod.ts), undefined when they may.
 */
export function methodsFor(
  subtotal: Prisma.Decimal,
  expiry: MethodExpiry,
  codRefusal: CodRefusal | undefined,
): MethodOffer[] {
  const empty = subtotal.lte(0);
  const offer = (type: PaymentMethodType, extra: Partial<MethodOffer> = {}): MethodOffer => ({
    type,
    available: !empty,
    ...(empty ? { reason: 'cart_empty' as const } : {}),
    ...extra,
  });
  // The shipping cost is added at checkout: a cart at the QRIS ceiling is already over it.
  const overQris = !empty && subtotal.gte(QRIS_MAX_AMOUNT);
  return [
    offer('card', { expiry_seconds: expiry.expirySeconds }),
    offer('bank_transfer', { banks: [...VA_BANKS], expiry_seconds: expiry.methodExpirySeconds.bank_transfer }),
    offer('qris', {
      expiry_seconds: expiry.methodExpirySeconds.qris,
      ...(overQris ? { available: false, reason: 'above_qris_limit' as const } : {}),
    }),
    offer('ewallet', { providers: [...EWALLET_PROVIDERS], expiry_seconds: expiry.methodExpirySeconds.ewallet }),
    offer('cod', codRefusal && !empty ? { available: false, reason: codRefusal } : {}),
  ];
}

export function createMethodChoices(db: Db) {
  return {
    /** Records the shopper's choice for an order once; a retried checkout keeps the first. */
    async record(orderId: string, userId: string, method: PaymentMethod, expirySeconds: number) {
      await db.paymentMethodChoice.createMany({
        data: [
          {
            order_id: orderId,
            user_id: userId,
            type: method.type,
            bank: method.type === 'bank_transfer' ? method.bank : null,
            provider: method.type === 'ewallet' ? method.provider : null,
            phone: method.type === 'ewallet' ? (method.phone ?? null) : null,
            expiry_seconds: expirySeconds,
          },
        ],
        skipDuplicates: true,
      });
    },

    /** A switch of method before paying: the order's choice is now this one (an OVO number included). */
    async replace(orderId: string, userId: string, method: PaymentMethod, expirySeconds: number) {
      const fields = {
        type: method.type,
        bank: method.type === 'bank_transfer' ? method.bank : null,
        provider: method.type === 'ewallet' ? method.provider : null,
        phone: method.type === 'ewallet' ? (method.phone ?? null) : null,
        expiry_seconds: expirySeconds,
      };
      await db.paymentMethodChoice.upsert({
        where: { order_id: orderId },
        create: { order_id: orderId, user_id: userId, ...fields },
        update: fields,
      });
    },

    /** Each order's payment wait in seconds, as its method was chosen (orders without a recorded choice are absent). */
    async waitsOf(orderIds: string[]): Promise<Map<string, number>> {
      const rows = await db.paymentMethodChoice.findMany({
        where: { order_id: { in: orderIds } },
        select: { order_id: true, expiry_seconds: true },
      });
      return new Map(rows.map((r) => [r.order_id, r.expiry_seconds]));
    },

    /** The order's method and its wait (a card's, unset, when none was recorded: checkouts from before methods). */
    async of(orderId: string): Promise<{ method: PaymentMethod; expirySeconds?: number }> {
      const row = await db.paymentMethodChoice.findUnique({ where: { order_id: orderId } });
      if (!row) return { method: { type: 'card' } };
      const expirySeconds = row.expiry_seconds;
      if (row.type === 'qris') return { method: { type: 'qris' }, expirySeconds };
      if (row.type === 'cod') return { method: { type: 'cod' }, expirySeconds };
      if (row.type === 'bank_transfer')
        return { method: { type: 'bank_transfer', bank: row.bank as never }, expirySeconds };
      if (row.type === 'ewallet') {
        const phone = row.phone ? { phone: row.phone } : {};
        return { method: { type: 'ewallet', provider: row.provider as never, ...phone }, expirySeconds };
      }
      return { method: { type: 'card' }, expirySeconds };
    },
  };
}

export type MethodChoices = ReturnType<typeof createMethodChoices>;
