/**
 * The flash-sale admission gate on the real stack: a shopper who cannot get a unit is refused
 * with the checkout route's 409 before any saga starts; a mirror or ticket gone wrong corrects
 * itself; Redis trouble lets checkouts through to the saga, which still decides.
 */
import { randomUUID } from 'node:crypto';
import { createRedis } from '../../platform/clients/redis';
import { createLogger } from '../../platform/logger';
import { admissionKeys, createAdmissionGate, ticketMember } from '../../services/catalog/admission';
import { adminToken, client, type Client } from '../support/http';
import { checkout, checkoutUntilSettled, newProduct, orderStatus, shopperWithCart } from '../support/shop';
import { useServer } from '../support/server';

const SHORT_TTL_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('checkout admission gate', () => {
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      admission: {
        ...c.admission,
        enabled: true,
        ticketTtlSeconds: SHORT_TTL_SECONDS,
        stockTtlSeconds: SHORT_TTL_SECONDS,
      },
    }),
  });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const ordersOf = (userIds: string[]) => server().deps.db.order.count({ where: { user_id: { in: userIds } } });
  const stock = (productId: string) =>
    server().deps.db.inventory.findUniqueOrThrow({ where: { product_id: productId } });

  it('refuses the oversubscribed shoppers with 409 insufficient_stock before any saga, and sells exactly the stock', async () => {
    const productId = await newProduct(api, admin, 2);
    const shoppers = await Promise.all(
      Array.from({ length: 8 }, () => shopperWithCart(api, [{ product_id: productId, quantity: 1 }])),
    );
    const replies = await Promise.all(shoppers.map((s) => checkoutUntilSettled(api, s.token, s.address_id)));

    const winners = replies.map((r, i) => ({ r, s: shoppers[i]! })).filter(({ r }) => r.status === 202);
    const losers = replies.map((r, i) => ({ r, s: shoppers[i]! })).filter(({ r }) => r.status === 409);
    expect(winners).toHaveLength(2);
    expect(losers).toHaveLength(6);
    for (const { r } of winners) expect(r.body.status).toBe('awaiting_payment');
    for (const { r } of losers) {
      expect(r.body.error.code).toBe('insufficient_stock');
      expect(r.body.error.details).toMatchObject({ product_id: productId, requested: 1, available: 0 });
    }
    // No saga ran for a refused shopper: it never got as far as a pending order.
    expect(await ordersOf(losers.map(({ s }) => s.id))).toBe(0);
    expect(await stock(productId)).toMatchObject({ quantity: 2, reserved: 2 });

    // Cancelling a winner puts its unit back: the gate admits the next shopper.
    await api.post(`/orders/${winners[0]!.r.body.order_id}/cancel`, {}, winners[0]!.s.token);
    await waitForStock(productId, 1);
    const next = await checkoutUntilSettled(api, losers[0]!.s.token, losers[0]!.s.address_id);
    expect(next.status).toBe(202);
    expect(await stock(productId)).toMatchObject({ quantity: 2, reserved: 2 });
    await cancelAll([
      { token: winners[1]!.s.token, orderId: winners[1]!.r.body.order_id },
      { token: losers[0]!.s.token, orderId: next.body.order_id },
    ]);
  });

  it('a retry with the key of an admitted checkout answers that checkout even when sold out', async () => {
    const productId = await newProduct(api, admin, 1);
    const winner = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const key = randomUUID();
    const first = await checkout(api, winner.token, winner.address_id, key);
    expect(first.status).toBe(202);
    const again = await checkout(api, winner.token, winner.address_id, key);
    expect(again.status).toBe(202);
    expect(again.body.order_id).toBe(first.body.order_id);
    await cancelAll([{ token: winner.token, orderId: first.body.order_id }]);
  });

  it('corrects a drifted mirror and a stranded ticket by themselves, and rebuilds a lost mirror from Postgres', async () => {
    const { redis } = server().deps;
    const productId = await newProduct(api, admin, 1);
    const [a, b, c] = await Promise.all(
      [0, 1, 2].map(() => shopperWithCart(api, [{ product_id: productId, quantity: 1 }])),
    );

    // Drift: the mirror says sold out at a version no write will beat; it lives only its TTL.
    await redis.hset(admissionKeys.stock(productId), 'available', 0, 'version', 1_000_000);
    await redis.expire(admissionKeys.stock(productId), SHORT_TTL_SECONDS);
    expect((await checkout(api, a!.token, a!.address_id)).status).toBe(409);
    await sleep(SHORT_TTL_SECONDS * 1000 + 500);

    // A crashed API left a ticket holding the only unit: it expires, nothing stays stranded.
    await redis.zadd(admissionKeys.tickets(productId), Date.now() + 1500, ticketMember(randomUUID(), 1));
    expect((await checkout(api, b!.token, b!.address_id)).status).toBe(409);
    await sleep(2000);

    // Redis lost the mirror (restart, eviction): rebuilt from Postgres on the next checkout.
    await redis.del(admissionKeys.stock(productId), admissionKeys.tickets(productId));
    const admitted = await checkoutUntilSettled(api, c!.token, c!.address_id);
    expect(admitted.status).toBe(202);
    expect(admitted.body.status).toBe('awaiting_payment');
    expect(await redis.hget(admissionKeys.stock(productId), 'available')).toBe('0');
    expect(await stock(productId)).toMatchObject({ quantity: 1, reserved: 1 });
    await cancelAll([{ token: c!.token, orderId: admitted.body.order_id }]);
  });

  it('lets checkouts through to the saga when its Redis keys misbehave, and the saga still refuses an oversell', async () => {
    const { redis } = server().deps;
    const productId = await newProduct(api, admin, 1);
    const [a, b] = await Promise.all([0, 1].map(() => shopperWithCart(api, [{ product_id: productId, quantity: 1 }])));
    // A key of the wrong type makes every gate command fail (WRONGTYPE), as a broken Redis would.
    await redis.set(admissionKeys.stock(productId), 'not-a-hash');
    const first = await checkoutUntilSettled(api, a!.token, a!.address_id);
    expect(first.status).toBe(202);
    const second = await checkoutUntilSettled(api, b!.token, b!.address_id);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('insufficient_stock');
    // The saga refused it (its answer names the order it undid; the gate's names none), nothing pending.
    expect(second.body.error.details.order_id).toEqual(expect.any(String));
    expect(await server().deps.db.order.count({ where: { user_id: b!.id, status: 'pending' } })).toBe(0);
    expect(await stock(productId)).toMatchObject({ quantity: 1, reserved: 1 });
    await redis.del(admissionKeys.stock(productId));
    await cancelAll([{ token: a!.token, orderId: first.body.order_id }]);
  });

  it('stands aside at once when Redis is down (a closed port), instead of failing or hanging the checkout', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 500);
    dead.on('error', () => undefined);
    const gate = createAdmissionGate(server().deps.db, dead, createLogger('silent'), {
      enabled: true,
      ticketTtlSeconds: 30,
      stockTtlSeconds: 60,
      maxInFlightPerShopper: 3,
    });
    const started = Date.now();
    const verdict = await gate.admit(randomUUID(), randomUUID(), [{ product_id: randomUUID(), quantity: 1 }]);
    expect(verdict).toEqual({ outcome: 'bypassed' });
    expect(Date.now() - started).toBeLessThan(1000);
    dead.disconnect();
  });

  /** Cancels what a test left awaiting payment: no reservation outlives this file's worker. */
  async function cancelAll(orders: { token: string; orderId: string }[]) {
    await Promise.all(orders.map((o) => api.post(`/orders/${o.orderId}/cancel`, {}, o.token)));
    await Promise.all(orders.map((o) => orderStatus(api, o.token, o.orderId, 'cancelled')));
  }

  async function waitForStock(productId: string, available: number) {
    for (let i = 0; i < 100; i++) {
      const row = await stock(productId);
      if (row.quantity - row.reserved === available) return;
      await sleep(100);
    }
    throw new Error(`stock of ${productId} never reached ${available}`);
  }
});
