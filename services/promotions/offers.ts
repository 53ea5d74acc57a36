/**
 * Vouchers seen from the cart. A shopper presents a code (codes are never listed: they are
 * unguessable, and a cart shows only the codes its shopper typed); a code that would apply to the
 * cart now is remembered on it, in Redis beside the cart's lines (`cart-vouchers:{user}`, one field
 * per kind, so a second voucher of a kind replaces the first: at most one shipping and one discount
 * voucher, as an order takes). `GET /cart` then shows each remembered code with what it takes off
 * now, or why it no longer does, and the totals.
 *
 * The judgement is the claim store's rules, read without claiming: the voucher's row (standing.ts),
 * the basket (rules.ts `discountFor`), the person's uses (the counters claims.ts raises) and the
 * budget left. The person here is the account and its VERIFIED phone: the delivery address is
 * chosen at checkout, so a door's earlier use is told there (the claim's `per_shopper_limit`).
 *
 * Guessing (issue 22, item 5): a code that finds no voucher of the shopper's (none, or issued to
 * another account) spends one try of the account's and one of the client address's budget (a
 * sliding window, platform/rate-limiter.ts `take`); past either, 429 with Retry-After before any
 * lookup. Both misses answer the same 409 `unknown_code`, word for word, so a code issued to someone
 * else cannot be told from none. A code that exists and is the shopper's spends nothing, whatever it
 * then says (expired, paused, used up, minimum spend): those reasons are the shopper's to know.
 */
import type { Redis } from 'ioredis';
import type { Voucher } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import type { RateLimiter } from '../../platform/rate-limiter';
import type { ProductView } from '../catalog/products';
import { CART_TTL_SECONDS, type CartView } from '../orders/cart';
import { refused, type ClaimRefusal } from './claims';
import { normalizeCode } from './codes';
import { identityKeys } from './identity';
import { fromSen, toSen } from './money';
import { discountFor, type Basket, type VoucherKind } from './rules';
import { grantable, rowRefusal, termsOf } from './standing';

export const cartVouchersKey = (userId: string) => `cart-vouchers:${userId}`;

/** A cart as the cart store prices it, with each line's catalog entry (for a voucher's category scope). */
export type PricedCart = CartView & { products: Map<string, ProductView> };

export interface CartVoucher {
  code: string;
  kind: VoucherKind;
  name: string;
  valid_until: string | null;
  min_spend: string | null;
  /** Whether it takes something off this cart now. */
  applies: boolean;
  /** Why it does not (a claim refusal's reason), else null. */
  reason: ClaimRefusal | null;
  /** discount: what it takes off the lines now; shipping: the most it takes off the shipping (quoted at checkout). */
  amount: string;
  /** The cart's subtotal after this voucher alone (a shipping voucher leaves it unchanged). */
  total_before_shipping: string;
}

export interface CartVoucherTotals {
  subtotal: string;
  discount: string;
  /** The shipping voucher's cap: the shipping itself is quoted at checkout. */
  shipping_discount: string;
  total_before_shipping: string;
}

export interface CartOffers {
  vouchers: CartVoucher[];
  totals: CartVoucherTotals;
}

type Limits = Pick<
  Config['rateLimits'],
  'voucherCodeFailuresPerAccount' | 'voucherCodeFailuresPerAddress' | 'voucherCodeWindowSeconds'
>;

/** The cart's lines as the voucher rules read them; the shipping is the voucher's own cap (see CartVoucher.amount). */
export function basketOf(cart: PricedCart, shipping = '0.00'): Basket {
  return {
    shipping,
    lines: cart.items.map((i) => ({
      product_id: i.product_id,
      category: cart.products.get(i.product_id)?.category ?? '',
      amount: i.line_total,
    })),
  };
}

// Removes a remembered code only if it is still the one remembered for its kind.
const FORGET = `
for _, kind in ipairs({'shipping', 'discount'}) do
  if redis.call('HGET', KEYS[1], kind) == ARGV[1] then return redis.call('HDEL', KEYS[1], kind) end
end
return 0`;

export function createVoucherOffers(db: Db, redis: Redis, limiter: Pick<RateLimiter, 'take' | 'ensureLeft'>, limits: Limits) {
  const perAccount = {
    name: 'voucher_code_account',
    limit: limits.voucherCodeFailuresPerAccount,
    windowSeconds: limits.voucherCodeWindowSeconds,
  };
  const perAddress = {
    name: 'voucher_code_address',
    limit: limits.voucherCodeFailuresPerAddress,
    windowSeconds: limits.voucherCodeWindowSeconds,
  };
  const tooMany = 'too many wrong voucher codes; try again later';

  /** The person's keys known before checkout (no delivery address yet) that are at the voucher's limit. */
  async function personAtLimit(v: Voucher, keys: string[]): Promise<boolean> {
    const full = await db.voucherIdentityUse.findFirst({
      where: { voucher_id: v.id, identity: { in: keys }, uses: { gte: v.per_shopper_limit } },
      select: { uses: true },
    });
    return full !== null;
  }

  /** What the voucher takes off this cart now, or why nothing. */
  async function judge(
    v: Voucher,
    userId: string,
    keys: string[],
    cart: PricedCart,
    now: Date,
  ): Promise<{ amount: string; reason: ClaimRefusal | null }> {
    const why = rowRefusal(v, userId, now);
    if (why) return { amount: '0.00', reason: why };
    if (await personAtLimit(v, keys)) return { amount: '0.00', reason: 'per_shopper_limit' };
    const cap = v.kind === 'shipping' ? v.amount_off!.toFixed(2) : '0.00';
    const d = discountFor(termsOf(v), basketOf(cart, cap));
    if (d.reason) return { amount: '0.00', reason: d.reason };
    return { amount: grantable(v, d.amount), reason: null };
  }

  const keysOf = (userId: string, verifiedPhone: string | null) =>
    identityKeys(userId, { phone: verifiedPhone, address: null });

  async function remembered(userId: string): Promise<{ kind: VoucherKind; code: string }[]> {
    const stored = await redis.hgetall(cartVouchersKey(userId));
    return (['discount', 'shipping'] as const).filter((k) => stored[k]).map((kind) => ({ kind, code: stored[kind]! }));
  }

  /**
   * The guessing gate, the one every typed code passes (the cart's and the checkout's): refused
   * with 429 once the account's or the address's budget of wrong tries is spent; a code naming no
   * voucher this account may see (none, or another account's: the same 409 unknown_code, word for
   * word) spends a try of each. Returns the voucher.
   */
  async function screen(userId: string, address: string, code: string): Promise<Voucher> {
    // Past either budget: 429 before any lookup, so a right code is not told from a wrong one.
    await limiter.ensureLeft(perAccount, userId, tooMany);
    await limiter.ensureLeft(perAddress, address, tooMany);
    const v = await db.voucher.findUnique({ where: { code } });
    if (v && rowRefusal(v, userId, new Date()) !== 'not_yours') return v;
    // A wrong try is spent after the fact, so good codes typed at once (a flash sale behind one
    // carrier-grade NAT) never crowd each other out of the address's budget.
    await limiter.take(perAccount, userId, tooMany);
    await limiter.take(perAddress, address, tooMany);
    throw refused('unknown_code', code);
  }

  return {
    /**
     * Checkout's codes through the same gate as the cart's, before any saga starts: guessing codes
     * by checking out costs the same budget as guessing them at the cart. 400 naming the code for
     * what cannot be one (the request schema already refuses those), 429 past the budget, 409
     * unknown_code; whether a known voucher applies is the saga's claim to say.
     */
    async screenCodes(input: { userId: string; address: string; typed: string[] }): Promise<void> {
      for (const [i, typed] of input.typed.entries()) {
        const code = normalizeCode(typed);
        if (!code)
          throw new AppError('validation_failed', 'invalid voucher code', [
            { field: `voucher_codes.${i}`, in: 'body', message: 'not a voucher code' },
          ]);
        await screen(input.userId, input.address, code);
      }
    },

    /**
     * Checks a typed code against the cart and remembers it (replacing a voucher of its kind), or
     * throws: 400 naming `code` for what cannot be a code, 429 past the guessing budget, 409 with
     * `details.reason` (CLAIM_REFUSALS) for a code that does not apply now.
     */
    async present(input: {
      userId: string;
      address: string;
      verifiedPhone: string | null;
      typed: string;
      cart: PricedCart;
    }): Promise<void> {
      const code = normalizeCode(input.typed);
      if (!code)
        throw new AppError('validation_failed', 'invalid voucher code', [
          { field: 'code', in: 'body', message: 'not a voucher code' },
        ]);
      const v = await screen(input.userId, input.address, code);
      const { reason } = await judge(
        v,
        input.userId,
        keysOf(input.userId, input.verifiedPhone),
        input.cart,
        new Date(),
      );
      if (reason)
        throw refused(reason, code, reason === 'min_spend_not_met' ? { min_spend: v.min_spend.toFixed(2) } : {});
      await redis
        .multi()
        .hset(cartVouchersKey(input.userId), v.kind, code)
        .expire(cartVouchersKey(input.userId), CART_TTL_SECONDS)
        .exec();
    },

    /** Forgets a remembered code; 404 when the cart does not hold it. */
    async forget(userId: string, typed: string): Promise<void> {
      const code = normalizeCode(typed);
      const removed = code ? Number(await redis.eval(FORGET, 1, cartVouchersKey(userId), code)) : 0;
      if (removed === 0) throw new AppError('not_found', 'this voucher code is not on the cart');
    },

    /** Every remembered code with what it takes off this cart now (or why not), and the totals. */
    async forCart(userId: string, verifiedPhone: () => Promise<string | null>, cart: PricedCart): Promise<CartOffers> {
      const held = await remembered(userId);
      // A cart with no codes (most carts) costs one Redis read here and nothing in Postgres.
      const [rows, phone] = held.length
        ? await Promise.all([
            db.voucher.findMany({ where: { code: { in: held.map((h) => h.code) } } }),
            verifiedPhone(),
          ])
        : [[], null];
      const keys = keysOf(userId, phone);
      const now = new Date();
      const subtotal = toSen(cart.subtotal);
      const vouchers = await Promise.all(
        held.map(async ({ kind, code }): Promise<CartVoucher> => {
          const v = rows.find((r) => r.code === code);
          const { amount, reason } = v
            ? await judge(v, userId, keys, cart, now)
            : { amount: '0.00', reason: 'unknown_code' as const };
          return {
            code,
            kind,
            name: v?.name ?? '',
            valid_until: v?.valid_until.toISOString() ?? null,
            min_spend: v?.min_spend.toFixed(2) ?? null,
            applies: reason === null,
            reason,
            amount,
            total_before_shipping: fromSen(kind === 'discount' ? subtotal - toSen(amount) : subtotal),
          };
        }),
      );
      const of = (kind: VoucherKind) => vouchers.find((x) => x.kind === kind && x.applies)?.amount ?? '0.00';
      return {
        vouchers,
        totals: {
          subtotal: cart.subtotal,
          discount: of('discount'),
          shipping_discount: of('shipping'),
          total_before_shipping: fromSen(subtotal - toSen(of('discount'))),
        },
      };
    },

    /** The codes remembered on the cart (what a checkout without voucher_codes claims). */
    codesOf: async (userId: string) => (await remembered(userId)).map((r) => r.code),

    /** Forgets every remembered code (after an order takes them, or when the cart is emptied). */
    clear: async (userId: string) => {
      await redis.del(cartVouchersKey(userId));
    },
  };
}

export type VoucherOffers = ReturnType<typeof createVoucherOffers>;
