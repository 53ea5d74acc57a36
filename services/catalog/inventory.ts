/**
 * Stock: reserve, release and deduct, keyed by (order_id, product_id) so a retried call has no
 * second effect. Reserving is one conditional UPDATE (`quantity - reserved >= n`) under the row
 * lock, so concurrent reservations can never drive available stock below zero; the table's
 * CHECK constraints refuse it too. Every change publishes `inventory.changed` via the outbox
 * and rewrites the `inventory:{id}` cache after commit.
 */
import type { Redis } from 'ioredis';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { TOPICS } from '../../platform/kafka/topics';
import { enqueueEvent } from '../../platform/outbox/outbox';
import { DEFAULT_ADMISSION, queueMirror, ticketMember, admissionKeys } from './admission';
import { catalogKeys } from './keys';
import { queueListInvalidation } from './list-cache';

export interface StockLine {
  product_id: string;
  quantity: number;
}

export interface Availability {
  product_id: string;
  quantity: number;
  reserved: number;
  available: number;
}

interface InventoryRow {
  product_id: string;
  quantity: number;
  reserved: number;
  version: number;
}

type Tx = Prisma.TransactionClient;
type Settlement = 'released' | 'deducted' | 'restocked';

const REASONS: Record<Settlement, string> = {
  released: 'reservation_released',
  deducted: 'stock_deducted',
  restocked: 'order_refunded',
};

const toAvailability = (r: InventoryRow): Availability => ({
  product_id: r.product_id,
  quantity: r.quantity,
  reserved: r.reserved,
  available: r.quantity - r.reserved,
});

/** `admissionStockTtlSeconds`: how long the admission gate's stock mirror lives before a rebuild. */
export function createInventoryStore(
  db: Db,
  redis: Redis,
  logger: Logger,
  admissionStockTtlSeconds = DEFAULT_ADMISSION.stockTtlSeconds,
) {
  async function changed(tx: Tx, row: InventoryRow, reason: string, orderId?: string) {
    await enqueueEvent(tx, {
      topic: TOPICS.inventory,
      type: 'inventory.changed',
      aggregateId: row.product_id,
      data: { ...toAvailability(row), reason, order_id: orderId ?? null },
    });
  }

  /**
   * After commit: the caches, the admission mirror, and (for a reservation) the order's
   * admission ticket, swapped for the reservation in one MULTI so no unit is counted twice.
   */
  async function refreshCache(rows: InventoryRow[], reservedFor?: { orderId: string; lines: StockLine[] }) {
    if (rows.length === 0 && !reservedFor) return;
    const m = redis.multi();
    for (const r of rows) {
      m.set(catalogKeys.inventory(r.product_id), String(r.quantity - r.reserved)).del(
        catalogKeys.product(r.product_id),
      );
      queueMirror(m, r, admissionStockTtlSeconds);
    }
    // Lists show availability: a stock change is a catalog write for the list cache.
    if (rows.length > 0) queueListInvalidation(m);
    for (const l of reservedFor?.lines ?? [])
      m.zrem(admissionKeys.tickets(l.product_id), ticketMember(reservedFor!.orderId, l.quantity));
    await m.exec().catch((err) => logger.warn({ err }, 'inventory cache refresh failed'));
  }

  /**
   * Applies one settled line to the stock row: back to the shelf (released), out of the
   * warehouse (deducted), or back into the warehouse after a refund (restocked).
   */
  function settleLine(tx: Tx, line: StockLine, to: Settlement) {
    if (to === 'restocked') {
      return tx.$queryRaw<InventoryRow[]>`
          UPDATE catalog.inventory SET quantity = quantity + ${line.quantity}, version = version + 1, updated_at = now()
          WHERE product_id = ${line.product_id}::uuid RETURNING product_id::text, quantity, reserved, version`;
    }
    return to === 'released'
      ? tx.$queryRaw<InventoryRow[]>`
          UPDATE catalog.inventory SET reserved = reserved - ${line.quantity}, version = version + 1, updated_at = now()
          WHERE product_id = ${line.product_id}::uuid RETURNING product_id::text, quantity, reserved, version`
      : tx.$queryRaw<InventoryRow[]>`
          UPDATE catalog.inventory SET quantity = quantity - ${line.quantity}, reserved = reserved - ${line.quantity},
            version = version + 1, updated_at = now()
          WHERE product_id = ${line.product_id}::uuid RETURNING product_id::text, quantity, reserved, version`;
  }

  /** Moves an order's reservations from `from` to `to`; others are left alone, so a retry does nothing. */
  async function settle(orderId: string, from: string, to: Settlement): Promise<Availability[]> {
    const rows = await db.$transaction(async (tx) => {
      const settled = await tx.$queryRaw<StockLine[]>`
        UPDATE catalog.reservations SET status = ${to}, updated_at = now()
        WHERE order_id = ${orderId} AND status = ${from}
        RETURNING product_id::text, quantity`;
      const out: InventoryRow[] = [];
      for (const line of settled.sort((a, b) => a.product_id.localeCompare(b.product_id))) {
        const [row] = await settleLine(tx, line, to);
        if (!row) continue;
        out.push(row);
        await changed(tx, row, REASONS[to], orderId);
      }
      return out;
    });
    await refreshCache(rows);
    return rows.map(toAvailability);
  }

  return {
    /** Reserves every line or none. Lines already reserved under this order are left as they are. */
    async reserve(orderId: string, lines: StockLine[]) {
      const sorted = [...lines].sort((a, b) => a.product_id.localeCompare(b.product_id)); // one lock order: no deadlocks
      const rows = await db.$transaction(async (tx) => {
        // An order whose stock was already deducted or released is settled: a late or second
        // checkout run must never reserve more under it.
        const settled = await tx.reservation.findFirst({ where: { order_id: orderId, status: { not: 'reserved' } } });
        if (settled) {
          throw new AppError('conflict', `this order's stock is already ${settled.status}`, {
            reason: 'order_settled',
            status: settled.status,
          });
        }
        const out: InventoryRow[] = [];
        for (const line of sorted) {
          const inserted = await tx.$queryRaw<{ id: string }[]>`
            INSERT INTO catalog.reservations (order_id, product_id, quantity)
            SELECT ${orderId}, ${line.product_id}::uuid, ${line.quantity}
            WHERE EXISTS (SELECT 1 FROM catalog.products WHERE id = ${line.product_id}::uuid)
            ON CONFLICT (order_id, product_id) DO NOTHING RETURNING id`;
          if (inserted.length === 0) {
            const existing = await tx.reservation.findUnique({
              where: { order_id_product_id: { order_id: orderId, product_id: line.product_id } },
            });
            if (!existing) throw new AppError('not_found', `product ${line.product_id} not found`);
            if (existing.quantity !== line.quantity) {
              throw new AppError('conflict', 'this order already reserved a different quantity of the product', {
                product_id: line.product_id,
                reserved_quantity: existing.quantity,
              });
            }
            continue; // a retry: already done
          }
          const [row] = await tx.$queryRaw<InventoryRow[]>`
            UPDATE catalog.inventory i SET reserved = i.reserved + ${line.quantity}, version = i.version + 1, updated_at = now()
            FROM catalog.products p
            WHERE i.product_id = ${line.product_id}::uuid AND p.id = i.product_id AND p.status = 'active'
              AND i.quantity - i.reserved >= ${line.quantity}
            RETURNING i.product_id::text, i.quantity, i.reserved, i.version`;
          if (!row) {
            const current = await tx.inventory.findUnique({ where: { product_id: line.product_id } });
            throw new AppError('insufficient_stock', 'not enough stock for this product', {
              product_id: line.product_id,
              requested: line.quantity,
              available: current ? current.quantity - current.reserved : 0,
            });
          }
          out.push(row);
          await changed(tx, row, 'reserved', orderId);
        }
        return out;
      });
      await refreshCache(rows, { orderId, lines: sorted });
      return this.reservations(orderId);
    },

    /** Gives reserved stock back (checkout compensated or cancelled). Idempotent. */
    release: (orderId: string) => settle(orderId, 'reserved', 'released'),

    /** Takes reserved stock out for good (order paid). Idempotent. */
    deduct: (orderId: string) => settle(orderId, 'reserved', 'deducted'),

    /** Puts a refunded order's deducted stock back. Idempotent. */
    restock: (orderId: string) => settle(orderId, 'deducted', 'restocked'),

    /** Sets the on-hand quantity (admin); it can never go below what is reserved. */
    async setStock(productId: string, quantity: number): Promise<Availability> {
      const row = await db.$transaction(async (tx) => {
        const [updated] = await tx.$queryRaw<InventoryRow[]>`
          UPDATE catalog.inventory SET quantity = ${quantity}, version = version + 1, updated_at = now()
          WHERE product_id = ${productId}::uuid AND reserved <= ${quantity}
          RETURNING product_id::text, quantity, reserved, version`;
        if (!updated) {
          const current = await tx.inventory.findUnique({ where: { product_id: productId } });
          if (!current) throw new AppError('not_found', 'product not found');
          throw new AppError('conflict', 'stock cannot be set below the quantity already reserved', {
            reserved: current.reserved,
          });
        }
        await changed(tx, updated, 'stock_set');
        return updated;
      });
      await refreshCache([row]);
      return toAvailability(row);
    },

    /** Availability of several products; unknown ids are simply absent. */
    async availability(productIds: string[]): Promise<Availability[]> {
      const rows = await db.inventory.findMany({ where: { product_id: { in: productIds } } });
      return rows.map(toAvailability);
    },

    reservations: (orderId: string) =>
      db.reservation.findMany({
        where: { order_id: orderId },
        select: { product_id: true, quantity: true, status: true },
        orderBy: { product_id: 'asc' },
      }),
  };
}

export type InventoryStore = ReturnType<typeof createInventoryStore>;
