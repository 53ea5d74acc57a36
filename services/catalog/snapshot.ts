/**
 * The whole catalog as of one moment, for whoever rebuilds a copy of it (the search index,
 * services/search/rebuild.ts): every product with its stock, read in one REPEATABLE READ
 * snapshot together with the aggregate versions that snapshot holds (outbox.aggregate_versions is
 * bumped in the transaction of every product and stock change), so a copy can tell which later
 * events it already has.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { TOPICS } from '../../platform/kafka/topics';
import type { ProductView } from './products';

/** A product as the snapshot saw it: the view `product.upserted` carries, and the versions it holds. */
export interface SnapshotProduct {
  view: ProductView;
  /** The last `product.upserted` (pasar.products) and `inventory.changed` (pasar.inventory) versions in it; 0: none yet. */
  productVersion: number;
  stockVersion: number;
}

interface Row {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: string;
  category: string;
  status: string;
  weight_grams: number;
  created_at: Date;
  updated_at: Date;
  available: number;
  product_version: bigint;
  stock_version: bigint;
}

const toSnapshotProduct = (r: Row): SnapshotProduct => ({
  view: {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    price: r.price,
    category: r.category,
    status: r.status,
    weight_grams: r.weight_grams,
    available: r.available,
    in_stock: r.available > 0,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  },
  productVersion: Number(r.product_version),
  stockVersion: Number(r.stock_version),
});

export function createCatalogSnapshot(db: Db) {
  return {
    /**
     * Hands every product of one snapshot to `each`, in id order, `batchSize` at a time; returns
     * how many. `each` of one batch runs while the next is read (one in flight), and a failure of
     * it ends the walk.
     */
    walk(batchSize: number, each: (batch: SnapshotProduct[]) => Promise<void>): Promise<number> {
      return db.$transaction(
        async (tx) => {
          let after = '00000000-0000-0000-0000-000000000000';
          let count = 0;
          let inFlight: Promise<void> = Promise.resolve();
          for (;;) {
            const rows = await tx.$queryRaw<Row[]>`
              SELECT p.id::text, p.sku, p.name, p.description, p.price::text AS price, p.category, p.status,
                     p.weight_grams, p.created_at, p.updated_at,
                     COALESCE(i.quantity - i.reserved, 0)::int AS available,
                     COALESCE(pv.version, 0) AS product_version, COALESCE(iv.version, 0) AS stock_version
              FROM catalog.products p
              LEFT JOIN catalog.inventory i ON i.product_id = p.id
              LEFT JOIN outbox.aggregate_versions pv
                ON pv.aggregate_type = ${TOPICS.products.name} AND pv.aggregate_id = p.id::text
              LEFT JOIN outbox.aggregate_versions iv
                ON iv.aggregate_type = ${TOPICS.inventory.name} AND iv.aggregate_id = p.id::text
              WHERE p.id > ${after}::uuid ORDER BY p.id LIMIT ${batchSize}`;
            if (rows.length === 0) break;
            await inFlight;
            inFlight = each(rows.map(toSnapshotProduct));
            // Its failure is awaited above or below; until then it must not count as unhandled.
            inFlight.catch(() => undefined);
            count += rows.length;
            after = rows[rows.length - 1]!.id;
          }
          await inFlight;
          return count;
        },
        { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 10_000, timeout: 60 * 60_000 },
      );
    },
  };
}

export type CatalogSnapshot = ReturnType<typeof createCatalogSnapshot>;
