/** 100 shoppers check out the last 10 units at once: exactly 10 paid orders, nobody oversold. */
import { adminToken, client, type Client } from '../support/http';
import { CARDS, checkoutUntilSettled, newProduct, orderStatus, shopperWithCart } from '../support/shop';
import { useServer } from '../support/server';

const SHOPPERS = 100;
const UNITS = 10;

async function inBatches<T, R>(items: T[], size: number, run: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

describe('flash sale', () => {
  const server = useServer({ worker: true });
  let api: Client;

  beforeAll(async () => {
    api = client(server().base);
  });

  it(`${SHOPPERS} concurrent checkouts for ${UNITS} units: exactly ${UNITS} paid, the rest refused or compensated`, async () => {
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, UNITS, '99000.00');
    const shoppers = await inBatches([...Array(SHOPPERS).keys()], 20, () =>
      shopperWithCart(api, [{ product_id: productId, quantity: 1 }]),
    );
    const { db } = server().deps;
    let lowest = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const row = await db.inventory.findUniqueOrThrow({ where: { product_id: productId } });
        lowest = Math.min(lowest, row.quantity - row.reserved);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const started = Date.now();
    const replies = await Promise.all(shoppers.map((s) => checkoutUntilSettled(api, s.token, s.address_id)));
    const settledMs = Date.now() - started;
    const accepted = replies.map((r, i) => ({ r, s: shoppers[i]! })).filter(({ r }) => r.status === 202);
    const refused = replies.filter((r) => r.status === 409);
    expect(accepted).toHaveLength(UNITS);
    expect(refused).toHaveLength(SHOPPERS - UNITS);
    for (const r of refused) expect(r.body.error.code).toBe('insufficient_stock');

    await Promise.all(
      accepted.map(({ r, s }) =>
        api.post('/payments/confirm', { order_id: r.body.order_id, card_number: CARDS.ok }, s.token),
      ),
    );
    await Promise.all(accepted.map(({ r, s }) => orderStatus(api, s.token, r.body.order_id, 'paid', 60_000)));
    sampling = false;
    await sampler;
    // Figures for the record (the benchmark script measures properly); nothing is asserted on time.
    console.info(
      `flash sale: ${SHOPPERS} checkouts settled in ${settledMs} ms, ${UNITS} paid in ${Date.now() - started} ms`,
    );

    const inventory = await db.inventory.findUniqueOrThrow({ where: { product_id: productId } });
    expect(inventory).toMatchObject({ quantity: 0, reserved: 0 });
    expect(lowest).toBeGreaterThanOrEqual(0);
    const orders = await db.order.groupBy({
      by: ['status'],
      where: { user_id: { in: shoppers.map((s) => s.id) } },
      _count: true,
    });
    const byStatus = Object.fromEntries(orders.map((o) => [o.status, o._count]));
    expect(byStatus.paid).toBe(UNITS);
    // A refused checkout was undone: its order (if it got that far) is cancelled, never pending.
    expect(byStatus.pending ?? 0).toBe(0);
    expect(await db.reservation.count({ where: { product_id: productId, status: 'reserved' } })).toBe(0);
  });
});
