/**
 * Fault drills: open several checkouts, break one component while the shoppers pay (half with a
 * good card, half declined), bring it back, and assert the money and stock invariants: every
 * order settles, paid exactly when the gateway took the money, one transaction and at most one
 * `order.paid` per order, stock quantity and reserved exact, no reservation left open. A new
 * component's drill is `drill({ break, restore })` in a few lines.
 */
import { execFileSync } from 'node:child_process';
import type { Client } from './http';
import { CARDS, checkout, newProduct, shopperWithCart, waitFor } from './shop';
import type { TestServer } from './server';

export interface DrillOptions {
  /** How many checkouts (even: half pay with a good card, half are declined). */
  checkouts?: number;
  /** Stops the component; the outage lasts `outageMs` from here. */
  break: () => Promise<void>;
  restore: () => Promise<void>;
  outageMs?: number;
  /** How long after the restore every order must have settled. */
  settleMs?: number;
}

export interface DrillResult {
  orderIds: string[];
  settledAfterRestoreMs: number;
  paid: number;
  cancelled: number;
  stockBefore: { quantity: number; reserved: number };
  stockAfter: { quantity: number; reserved: number };
}

/** Stops or starts a stack component through the stack script, as an operator would. */
export function stack(command: 'up' | 'down', component: string) {
  execFileSync('bash', ['scripts/stack/stack.sh', command, component], { stdio: 'ignore', timeout: 180_000 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function drill(server: TestServer, api: Client, admin: string, o: DrillOptions): Promise<DrillResult> {
  const n = o.checkouts ?? 6;
  const units = 2;
  const productId = await newProduct(api, admin, n * units + 5);
  const stock = async () => (await api.get(`/products/${productId}/inventory`)).body;
  const opened: { me: { token: string }; orderId: string; card: string }[] = [];
  for (let i = 0; i < n; i++) {
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: units }]);
    const res = await checkout(api, me.token, me.address_id);
    if (res.body.status !== 'awaiting_payment') throw new Error(`checkout ${i}: ${JSON.stringify(res.body)}`);
    opened.push({ me, orderId: res.body.order_id as string, card: i % 2 === 0 ? CARDS.ok : CARDS.declined });
  }
  const stockBefore = await stock();

  await o.break();
  const brokenAt = Date.now();
  // Shoppers keep pressing "pay" until the shop takes it, as a real client retries a 5xx.
  const confirmed = opened.map(async (c) => {
    for (;;) {
      const res = await api
        .post('/payments/confirm', { order_id: c.orderId, card_number: c.card }, c.me.token)
        .catch(() => ({ status: 0, body: undefined }));
      if (res.status === 202 || res.status === 409) return;
      await sleep(500);
    }
  });
  await sleep(Math.max(0, (o.outageMs ?? 8000) - (Date.now() - brokenAt)));
  await o.restore();
  const restoredAt = Date.now();
  await Promise.all(confirmed);

  const { db } = server.deps;
  const settled = await waitFor(
    'every order to settle',
    async () => {
      const orders = await db.order.findMany({ where: { id: { in: opened.map((c) => c.orderId) } } });
      return orders.every((x) => x.status === 'paid' || x.status === 'cancelled') ? orders : undefined;
    },
    o.settleMs ?? 90_000,
  );
  const settledAfterRestoreMs = Date.now() - restoredAt;

  for (const c of opened) {
    const order = settled.find((x) => x.id === c.orderId)!;
    const txns = await db.transaction.findMany({ where: { order_id: c.orderId } });
    expect(txns).toHaveLength(1);
    if (c.card === CARDS.ok) {
      expect([order.status, txns[0]!.status]).toEqual(['paid', 'success']);
    } else {
      expect([order.status, txns[0]!.status]).toEqual(['cancelled', 'failed']);
    }
    expect(await db.outboxEvent.count({ where: { key: c.orderId, type: 'order.paid' } })).toBe(
      c.card === CARDS.ok ? 1 : 0,
    );
    const open = await db.reservation.count({ where: { order_id: c.orderId, status: 'reserved' } });
    expect(open).toBe(0);
  }
  const paid = opened.filter((c) => c.card === CARDS.ok).length;
  const stockAfter = await waitFor('stock to settle', async () => {
    const s = await stock();
    return s.reserved === 0 ? s : undefined;
  });
  expect(stockAfter).toMatchObject({ quantity: stockBefore.quantity - paid * units, reserved: 0 });
  return {
    orderIds: opened.map((c) => c.orderId),
    settledAfterRestoreMs,
    paid,
    cancelled: n - paid,
    stockBefore: { quantity: stockBefore.quantity, reserved: stockBefore.reserved },
    stockAfter: { quantity: stockAfter.quantity, reserved: stockAfter.reserved },
  };
}

/** One line per drill in the test output, for the figures in the notes. */
export const report = (name: string, r: DrillResult) =>
  console.info(
    `drill ${name}: settled ${r.settledAfterRestoreMs} ms after the restore; ${r.paid} paid, ${r.cancelled} cancelled; ` +
      `stock ${r.stockBefore.quantity}/${r.stockBefore.reserved} → ${r.stockAfter.quantity}/${r.stockAfter.reserved}`,
  );
