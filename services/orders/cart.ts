/**
 * Carts, in Redis as the seed says: hash `cart:{user_id}`, one field per product holding its line
 * as JSON, 30-day TTL refreshed on every write. One field per line keeps concurrent adds atomic.
 * Every line is checked against the catalog: unknown → 404, inactive → 409, beyond stock → 409.
 */
import type { Redis } from 'ioredis';
import { Prisma } from '../../generated/prisma/client';
import { AppError } from '../../platform/errors';
import type { ProductStore, ProductView } from '../catalog/products';

export const CART_TTL_SECONDS = 30 * 24 * 3600;
export const cartKey = (userId: string) => `cart:${userId}`;

interface StoredLine {
  quantity: number;
  added_at: string;
}

export interface CartLine {
  id: string;
  product_id: string;
  name: string;
  unit_price: string;
  quantity: number;
  line_total: string;
  available: number;
  status: string;
  weight_grams: number;
}

export interface CartView {
  items: CartLine[];
  item_count: number;
  subtotal: string;
}

/** `onItemAdded`: told of a product's first add to a cart (the analytics funnel); must not throw or wait. */
export function createCartStore(
  redis: Redis,
  products: ProductStore,
  onItemAdded: (userId: string, productId: string, quantity: number) => void = () => undefined,
) {
  async function lines(userId: string): Promise<Map<string, StoredLine>> {
    const raw = await redis.hgetall(cartKey(userId));
    return new Map(Object.entries(raw).map(([id, json]) => [id, JSON.parse(json) as StoredLine]));
  }

  async function productFor(productId: string): Promise<ProductView> {
    try {
      return await products.get(productId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') {
        throw new AppError('not_found', 'product not found', [{ field: 'product_id', message: 'no such product' }]);
      }
      throw err;
    }
  }

  /**
   * The product, or undefined only when the catalog says it does not exist. Any other failure
   * (a database timeout...) propagates: a line must never vanish from an order because a read failed.
   */
  async function productOrGone(productId: string): Promise<ProductView | undefined> {
    try {
      return await products.get(productId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  function checkSellable(p: ProductView, quantity: number) {
    if (p.status !== 'active') throw new AppError('conflict', 'this product is no longer sold', { product_id: p.id });
    if (quantity > p.available) {
      throw new AppError('insufficient_stock', 'not enough stock for this quantity', {
        product_id: p.id,
        requested: quantity,
        available: p.available,
      });
    }
  }

  async function write(userId: string, productId: string, line: StoredLine) {
    await redis
      .multi()
      .hset(cartKey(userId), productId, JSON.stringify(line))
      .expire(cartKey(userId), CART_TTL_SECONDS)
      .exec();
  }

  /** The cart with each line's current catalog entry (checkout snapshots it), and its totals. */
  async function priced(userId: string): Promise<CartView & { products: Map<string, ProductView> }> {
    const stored = await lines(userId);
    const found = new Map<string, ProductView>();
    const items = await Promise.all(
      [...stored].map(async ([productId, line]): Promise<CartLine | undefined> => {
        const p = await productOrGone(productId);
        if (!p) return undefined; // deleted from the catalog: the line leaves the cart
        found.set(productId, p);
        const total = new Prisma.Decimal(p.price).mul(line.quantity);
        return {
          id: productId,
          product_id: productId,
          name: p.name,
          unit_price: p.price,
          quantity: line.quantity,
          line_total: total.toFixed(2),
          available: p.available,
          status: p.status,
          weight_grams: p.weight_grams,
        };
      }),
    );
    const present = items.filter((i): i is CartLine => i !== undefined);
    const subtotal = present.reduce((sum, i) => sum.add(i.line_total), new Prisma.Decimal(0));
    return {
      items: present,
      item_count: present.reduce((n, i) => n + i.quantity, 0),
      subtotal: subtotal.toFixed(2),
      products: found,
    };
  }

  async function view(userId: string): Promise<CartView> {
    const { products: _products, ...cart } = await priced(userId);
    return cart;
  }

  return {
    view,
    priced,

    /** Adds to an existing line or creates one; the resulting quantity must be in stock. */
    async add(userId: string, productId: string, quantity: number): Promise<CartView> {
      const p = await productFor(productId);
      const current = (await lines(userId)).get(productId);
      const next = (current?.quantity ?? 0) + quantity;
      checkSellable(p, next);
      await write(userId, productId, { quantity: next, added_at: current?.added_at ?? new Date().toISOString() });
      if (!current) onItemAdded(userId, productId, quantity);
      return view(userId);
    },

    async setQuantity(userId: string, productId: string, quantity: number): Promise<CartView> {
      const current = (await lines(userId)).get(productId);
      if (!current) throw new AppError('not_found', 'this product is not in the cart');
      checkSellable(await productFor(productId), quantity);
      await write(userId, productId, { ...current, quantity });
      return view(userId);
    },

    async remove(userId: string, productId: string): Promise<void> {
      if ((await redis.hdel(cartKey(userId), productId)) === 0) {
        throw new AppError('not_found', 'this product is not in the cart');
      }
    },

    clear: async (userId: string) => {
      await redis.del(cartKey(userId));
    },
  };
}

export type CartStore = ReturnType<typeof createCartStore>;
