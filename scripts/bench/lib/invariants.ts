/**
 * What must hold after every benchmark part, read from Postgres and the payment gateway (not
 * from the API under test): no unit sold beyond the stock, no order charged twice, no
 * reservation left behind once every checkout has settled.
 */
import type { Db } from '../../../platform/clients/prisma';
import type { PaymentGateway } from '../../../services/payments/gateway';
import { sleep } from './load';

export interface Invariants {
  no_oversell: boolean;
  no_double_charge: boolean;
  no_reservation_left: boolean;
  problems: string[];
}

/** An order charged and kept: paid, or moved on since by its shipment (which starts as soon as it is paid). */
export const isPaid = (status: string) => ['paid', 'processing', 'shipped', 'delivered', 'completed'].includes(status);

/** The bench's products and the stock each started with; orders are found through them. */
export type Tracked = Map<string, number>;

async function succeededIntentsByOrder(gateway: PaymentGateway, sinceUnix: number) {
  const counts = new Map<string, number>();
  let startingAfter: string | undefined;
  for (;;) {
    const page = await gateway.listIntents({ createdGte: sinceUnix, startingAfter, limit: 100 });
    for (const i of page.data)
      if (i.status === 'succeeded' || i.status === 'refunded')
        counts.set(i.reference, (counts.get(i.reference) ?? 0) + 1);
    if (!page.has_more || page.data.length === 0) return counts;
    startingAfter = page.data.at(-1)!.id;
  }
}

/** Waits (up to `settleMs`) for the tracked products' checkouts to settle, then checks. */
export async function checkInvariants(
  db: Db,
  gateway: PaymentGateway,
  tracked: Tracked,
  sinceUnix: number,
  settleMs = 60_000,
): Promise<Invariants> {
  const productIds = [...tracked.keys()];
  const problems: string[] = [];
  const deadline = Date.now() + settleMs;
  const open = () => db.reservation.count({ where: { product_id: { in: productIds }, status: 'reserved' } });
  const pendingOrders = () =>
    db.order.count({ where: { status: 'pending', items: { some: { product_id: { in: productIds } } } } });
  // A compensating saga releases the stock first and cancels the order just after: wait for both.
  while (((await open()) > 0 || (await pendingOrders()) > 0) && Date.now() < deadline) await sleep(250);

  const rows = await db.inventory.findMany({ where: { product_id: { in: productIds } } });
  const deducted = await db.reservation.groupBy({
    by: ['product_id'],
    where: { product_id: { in: productIds }, status: 'deducted' },
    _sum: { quantity: true },
  });
  const sold = new Map(deducted.map((d) => [d.product_id, d._sum.quantity ?? 0]));
  for (const r of rows) {
    const initial = tracked.get(r.product_id)!;
    const units = sold.get(r.product_id) ?? 0;
    if (r.quantity < 0 || r.reserved < 0 || r.quantity < r.reserved)
      problems.push(`oversell: ${r.product_id} quantity ${r.quantity}, reserved ${r.reserved}`);
    if (units > initial || r.quantity !== initial - units)
      problems.push(`oversell: ${r.product_id} started with ${initial}, ${units} sold, ${r.quantity} left`);
  }
  const oversell = problems.length;

  const items = await db.orderItem.findMany({ where: { product_id: { in: productIds } }, select: { order_id: true } });
  const orderIds = [...new Set(items.map((i) => i.order_id))];
  const orders = await db.order.findMany({
    where: { id: { in: orderIds } },
    select: { id: true, status: true, total_amount: true },
  });
  const txns = await db.transaction.findMany({ where: { order_id: { in: orderIds } } });
  const txnOf = new Map(txns.map((t) => [t.order_id, t]));
  const intents = await succeededIntentsByOrder(gateway, sinceUnix);
  for (const o of orders) {
    if ((intents.get(o.id) ?? 0) > 1)
      problems.push(`double charge: order ${o.id} has ${intents.get(o.id)} captured intents`);
    const t = txnOf.get(o.id);
    // Cash on delivery is paid at the door: success once delivered, pending until then.
    const cod = t?.method === 'cod';
    const owed = cod ? ['delivered', 'completed'].includes(o.status) : isPaid(o.status);
    if (cod && !t.amount.equals(o.total_amount))
      problems.push(`charge mismatch: COD order ${o.id} collects ${t.amount}, totals ${o.total_amount}`);
    if (owed && (!t || t.status !== 'success' || !t.amount.equals(o.total_amount)))
      problems.push(`charge mismatch: paid order ${o.id} has transaction ${t?.status ?? 'none'} ${t?.amount ?? ''}`);
    if (o.status === 'cancelled' && t?.status === 'success') problems.push(`charged but cancelled: order ${o.id}`);
  }
  const charges = problems.length - oversell;

  const left = await open();
  const pending = orders.filter((o) => o.status === 'pending').length;
  if (left > 0) problems.push(`${left} reservation(s) still held after ${settleMs} ms`);
  if (pending > 0) problems.push(`${pending} order(s) still pending after ${settleMs} ms`);
  if (rows.some((r) => r.reserved !== 0)) problems.push('inventory.reserved is not 0 on a settled product');

  return {
    no_oversell: oversell === 0,
    no_double_charge: charges === 0,
    no_reservation_left: problems.length - oversell - charges === 0,
    problems,
  };
}
