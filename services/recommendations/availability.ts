/**
 * Which candidate products may be shown: active and in stock right now, read from the catalog's
 * tables at request time (Redis holds only ids and scores, which go stale the moment stock moves).
 * One query for a whole candidate list, shaped by the catalog's own `toView`.
 */
import type { Db } from '../../platform/clients/prisma';
import { toView, type ProductView } from '../catalog/products';

export async function showableProducts(db: Db, ids: string[]): Promise<Map<string, ProductView>> {
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
}
