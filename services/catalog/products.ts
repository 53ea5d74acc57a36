/**
 * The product catalog: listing with filters, detail through the `product:{id}` cache, and
 * admin writes that publish `product.upserted` through the outbox in the same transaction.
 */
import type { Redis } from 'ioredis';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { catalogKeys, PRODUCT_CACHE_TTL_SECONDS } from './keys';
import { createListCache, type ListCache } from './list-cache';

export interface ProductView {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: string;
  category: string;
  status: string;
  weight_grams: number;
  available: number;
  in_stock: boolean;
  created_at: string;
  updated_at: string;
}

export interface ProductQuery {
  page: number;
  page_size: number;
  min_price?: number;
  max_price?: number;
  in_stock?: boolean;
  category?: string;
  sort: 'newest' | 'price_asc' | 'price_desc';
}

export interface NewProduct {
  sku: string;
  name: string;
  description?: string;
  price: string;
  category?: string;
  status?: 'active' | 'inactive';
  weight_grams?: number;
  quantity?: number;
}

type ProductRow = Prisma.ProductGetPayload<{ include: { inventory: true } }>;

export function toView(p: ProductRow): ProductView {
  const available = p.inventory ? p.inventory.quantity - p.inventory.reserved : 0;
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    price: p.price.toFixed(2),
    category: p.category,
    status: p.status,
    weight_grams: p.weight_grams,
    available,
    in_stock: available > 0,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  };
}

const ORDER: Record<ProductQuery['sort'], string> = {
  newest: 'p.created_at DESC, p.id',
  price_asc: 'p.price ASC, p.id',
  price_desc: 'p.price DESC, p.id',
};

interface ListRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: Prisma.Decimal;
  category: string;
  status: string;
  weight_grams: number;
  available: number;
  created_at: Date;
  updated_at: Date;
  total: bigint;
}

/** `listCache`: the catalog list's cache (services/catalog/list-cache.ts); without one, lists read Postgres. */
export function createProductStore(
  db: Db,
  redis: Redis,
  logger: Logger,
  listCache: ListCache = createListCache(redis, logger, 0),
) {
  async function listFromDb(q: ProductQuery) {
    const where: Prisma.Sql[] = [Prisma.sql`p.status = 'active'`];
    if (q.min_price !== undefined) where.push(Prisma.sql`p.price >= ${q.min_price}`);
    if (q.max_price !== undefined) where.push(Prisma.sql`p.price <= ${q.max_price}`);
    if (q.category !== undefined) where.push(Prisma.sql`p.category = ${q.category}`);
    if (q.in_stock === true) where.push(Prisma.sql`COALESCE(i.quantity - i.reserved, 0) > 0`);
    if (q.in_stock === false) where.push(Prisma.sql`COALESCE(i.quantity - i.reserved, 0) <= 0`);
    const from = Prisma.sql`FROM catalog.products p LEFT JOIN catalog.inventory i ON i.product_id = p.id
      WHERE ${Prisma.join(where, ' AND ')}`;
    const rows = await db.$queryRaw<ListRow[]>`
      SELECT p.id::text, p.sku, p.name, p.description, p.price, p.category, p.status, p.weight_grams,
        COALESCE(i.quantity - i.reserved, 0)::int AS available, p.created_at, p.updated_at,
        count(*) OVER () AS total
      ${from} ORDER BY ${Prisma.raw(ORDER[q.sort])}
      LIMIT ${q.page_size} OFFSET ${(q.page - 1) * q.page_size}`;
    // A page past the end has no rows to carry the total: count it on its own (rare).
    const total = rows[0]
      ? Number(rows[0].total)
      : Number((await db.$queryRaw<[{ total: bigint }]>`SELECT count(*) AS total ${from}`)[0].total);
    const data: ProductView[] = rows.map(({ total: _total, ...r }) => ({
      ...r,
      price: r.price.toFixed(2),
      in_stock: r.available > 0,
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
    }));
    return { data, page: q.page, page_size: q.page_size, total };
  }

  /** Cache failures never fail a request: the database is the truth. */
  async function cacheDel(id: string) {
    await redis.del(catalogKeys.product(id)).catch((err) => logger.warn({ err, id }, 'product cache delete failed'));
  }

  async function upsertedEvent(tx: Prisma.TransactionClient, id: string) {
    const row = await tx.product.findUniqueOrThrow({ where: { id }, include: { inventory: true } });
    const view = toView(row);
    await enqueueEvent(tx, { topic: TOPICS.products, type: 'product.upserted', aggregateId: id, data: view });
    return view;
  }

  return {
    /**
     * Active products only; filters and sort run in SQL over the inventory join, in one query
     * (the page's rows and the total through a window count), behind the list cache.
     */
    list: (q: ProductQuery) => listCache.read({ ...q }, () => listFromDb(q)),

    async get(id: string): Promise<ProductView> {
      // The cache is optional: while Redis is not connected, skip it rather than wait out a
      // command timeout twice on every product page.
      const cacheUp = redis.status === 'ready';
      const cached = cacheUp ? await redis.get(catalogKeys.product(id)).catch(() => null) : null;
      if (cached) return JSON.parse(cached) as ProductView;
      const row = await db.product.findUnique({ where: { id }, include: { inventory: true } });
      if (!row) throw new AppError('not_found', 'product not found');
      const view = toView(row);
      if (cacheUp) {
        await redis
          .set(catalogKeys.product(id), JSON.stringify(view), 'EX', PRODUCT_CACHE_TTL_SECONDS)
          .catch((err) => logger.warn({ err, id }, 'product cache write failed'));
      }
      return view;
    },

    /**
     * Which of `ids` may be shown right now: active and in stock, read from Postgres at call time
     * (a list of ids kept elsewhere, like the recommendations' scores, goes stale as stock moves).
     */
    async showable(ids: string[]): Promise<Map<string, ProductView>> {
      if (ids.length === 0) return new Map();
      const rows = await db.product.findMany({
        where: { id: { in: ids }, status: 'active' },
        include: { inventory: true },
      });
      return new Map(
        rows
          .map(toView)
          .filter((p) => p.in_stock)
          .map((p) => [p.id, p]),
      );
    },

    async create(input: NewProduct): Promise<ProductView> {
      try {
        const view = await db.$transaction(async (tx) => {
          const p = await tx.product.create({
            data: {
              sku: input.sku,
              name: input.name,
              description: input.description ?? '',
              price: new Prisma.Decimal(input.price),
              category: input.category ?? 'general',
              status: input.status ?? 'active',
              weight_grams: input.weight_grams ?? 500,
              inventory: { create: { quantity: input.quantity ?? 0 } },
            },
          });
          return upsertedEvent(tx, p.id);
        });
        await redis.set(catalogKeys.inventory(view.id), String(view.available)).catch(() => undefined);
        await listCache.invalidate();
        return view;
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') {
          throw new AppError('conflict', 'a product with this sku already exists', [
            { field: 'sku', message: 'taken' },
          ]);
        }
        throw err;
      }
    },

    async update(id: string, changes: Partial<Omit<NewProduct, 'quantity' | 'sku'>>): Promise<ProductView> {
      const view = await db.$transaction(async (tx) => {
        const updated = await tx.product.updateMany({
          where: { id },
          data: { ...changes, ...(changes.price !== undefined ? { price: new Prisma.Decimal(changes.price) } : {}) },
        });
        if (updated.count === 0) throw new AppError('not_found', 'product not found');
        return upsertedEvent(tx, id);
      });
      await cacheDel(id);
      await listCache.invalidate();
      return view;
    },
  };
}

export type ProductStore = ReturnType<typeof createProductStore>;
