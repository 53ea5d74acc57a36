import { randomUUID } from 'node:crypto';
import { unique } from '../support/deps';
import { adminToken, client, serviceToken, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';

describe('service-to-service inventory over HTTP', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  let service: string;

  const product = async (quantity: number) => {
    const res = await api.post(
      '/products',
      { sku: unique('SKU').slice(0, 50), name: 'Teh Botol', price: '5000.00', quantity },
      admin,
    );
    return res.body.id as string;
  };
  const stock = async (id: string) => (await api.get(`/products/${id}/inventory`)).body;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    service = serviceToken('order');
  });

  it('is closed to shoppers, admins and strangers', async () => {
    const shopper = await signUp(api);
    const body = { order_id: randomUUID(), items: [{ product_id: randomUUID(), quantity: 1 }] };
    expect((await api.post('/inventory/reserve', body)).status).toBe(401);
    expect((await api.post('/inventory/reserve', body, shopper.token)).status).toBe(403);
    expect((await api.post('/inventory/reserve', body, admin)).status).toBe(403);
    expect((await api.post('/inventory/release', { order_id: 'x' }, shopper.token)).status).toBe(403);
    expect((await api.post('/inventory/deduct', { order_id: 'x' }, shopper.token)).status).toBe(403);
  });

  it('reserves once per order and product, however often the call is retried', async () => {
    const id = await product(5);
    const body = { order_id: randomUUID(), items: [{ product_id: id, quantity: 2 }] };
    const replies = await Promise.all([1, 2, 3].map(() => api.post('/inventory/reserve', body, service)));
    for (const r of replies) expect(r.body.reservations).toEqual([{ product_id: id, quantity: 2, status: 'reserved' }]);
    expect(await stock(id)).toMatchObject({ quantity: 5, reserved: 2, available: 3 });
    expect(await server().deps.redis.get(`inventory:${id}`)).toBe('3');
  });

  it('reserves all lines or none', async () => {
    const plenty = await product(10);
    const scarce = await product(1);
    const res = await api.post(
      '/inventory/reserve',
      {
        order_id: randomUUID(),
        items: [
          { product_id: plenty, quantity: 3 },
          { product_id: scarce, quantity: 2 },
        ],
      },
      service,
    );
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'insufficient_stock', details: { product_id: scarce, available: 1 } });
    expect(await stock(plenty)).toMatchObject({ reserved: 0, available: 10 });
  });

  it('releases and deducts idempotently', async () => {
    const id = await product(4);
    const paid = randomUUID();
    const cancelled = randomUUID();
    await api.post('/inventory/reserve', { order_id: paid, items: [{ product_id: id, quantity: 3 }] }, service);
    await api.post('/inventory/reserve', { order_id: cancelled, items: [{ product_id: id, quantity: 1 }] }, service);
    expect(await stock(id)).toMatchObject({ quantity: 4, reserved: 4, available: 0 });

    for (let i = 0; i < 2; i++) await api.post('/inventory/deduct', { order_id: paid }, service);
    expect(await stock(id)).toMatchObject({ quantity: 1, reserved: 1, available: 0 });
    for (let i = 0; i < 2; i++) await api.post('/inventory/release', { order_id: cancelled }, service);
    expect(await stock(id)).toMatchObject({ quantity: 1, reserved: 0, available: 1 });
    // A released order cannot be deducted afterwards.
    expect((await api.post('/inventory/deduct', { order_id: cancelled }, service)).body.deducted).toEqual([]);
  });

  it('never lets an admin set stock below what is reserved', async () => {
    const id = await product(5);
    await api.post('/inventory/reserve', { order_id: randomUUID(), items: [{ product_id: id, quantity: 4 }] }, service);
    expect((await api.put(`/products/${id}/inventory`, { quantity: 3 }, admin)).status).toBe(409);
  });

  it('50 concurrent one-unit reservations against a stock of 10: exactly 10 succeed, never below zero', async () => {
    const id = await product(10);
    let lowest = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const row = await server().deps.db.inventory.findUniqueOrThrow({ where: { product_id: id } });
        lowest = Math.min(lowest, row.quantity - row.reserved);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // A calling service repeats a 503 (Postgres slow to hand a connection on a busy machine) with the
    // same order id, which the reservation is idempotent on.
    const reserve = async (orderId: string) => {
      for (let attempt = 1; ; attempt++) {
        const res = await api.post(
          '/inventory/reserve',
          { order_id: orderId, items: [{ product_id: id, quantity: 1 }] },
          service,
        );
        if (res.status !== 503 || attempt === 5) return res;
      }
    };
    const replies = await Promise.all(Array.from({ length: 50 }, () => reserve(randomUUID())));
    sampling = false;
    await sampler;
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(await stock(id)).toEqual({ product_id: id, quantity: 10, reserved: 10, available: 0 });
    expect(lowest).toBeGreaterThanOrEqual(0);
    const reservations = await server().deps.db.reservation.count({ where: { product_id: id, status: 'reserved' } });
    expect(reservations).toBe(10);
  });

  it('names bad input fields', async () => {
    const res = await api.post(
      '/inventory/reserve',
      { order_id: '', items: [{ product_id: 'nope', quantity: 0 }] },
      service,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field).sort()).toEqual([
      'items.0.product_id',
      'items.0.quantity',
      'order_id',
    ]);
  });
});
