/**
 * The catalog list is served from Redis, and every write that changes what a list shows (a new
 * product, a changed price or status, a stock change: admin, reservation, release) is visible in
 * the very next list. With Redis hung the list is read from Postgres at once.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../services';
import { adminToken, client, type Client } from '../support/http';
import { newProduct } from '../support/shop';
import { useServer } from '../support/server';
import { unique } from '../support/deps';

const TIMEOUT_MS = 3000;

describe('catalog list cache', () => {
  const server = useServer({ configure: (c) => ({ ...c, catalog: { listCacheSeconds: 60 } }) });
  let api: Client;
  let admin: string;

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  /** A category of this test's own, so other tests' products never shift its pages. */
  async function categoryWith(quantity: number) {
    const category = unique('cat').slice(0, 40).toLowerCase();
    const id = await newProduct(api, admin, quantity, '30000.00');
    expect((await api.patch(`/products/${id}`, { category }, admin)).status).toBe(200);
    return { id, category };
  }
  const list = async (category: string) => (await api.get(`/products?category=${category}&page_size=10`)).body;

  it('serves a repeated list from the cache (a change behind the store’s back stays unseen until a write)', async () => {
    const { id, category } = await categoryWith(5);
    const { redis, db } = server().deps;
    const generation = () => redis.get('catalog:list:generation');
    expect((await list(category)).data[0]).toMatchObject({ id, price: '30000.00' });
    // Bypassing the store (no invalidation): the cached page is still what the list shows...
    const before = await generation();
    await db.product.update({ where: { id }, data: { name: 'Changed behind the cache' } });
    const cached = await list(category);
    // (unless another suite's write on this shared Redis moved the generation meanwhile)
    if ((await generation()) === before) expect(cached.data[0].name).not.toBe('Changed behind the cache');
    // ...until any catalog write moves every list to a new generation.
    await api.patch(`/products/${id}`, { price: '31000.00' }, admin);
    expect((await list(category)).data[0]).toMatchObject({ name: 'Changed behind the cache', price: '31000.00' });
  });

  it('shows each write in the next list: new product, price, status, admin stock, reservation, release', async () => {
    const { id, category } = await categoryWith(5);
    expect(await list(category)).toMatchObject({ total: 1, data: [{ id, available: 5 }] });

    const second = await newProduct(api, admin, 2, '10000.00');
    await api.patch(`/products/${second}`, { category }, admin);
    expect((await list(category)).total).toBe(2);

    await api.put(`/products/${id}/inventory`, { quantity: 9 }, admin);
    expect((await list(category)).data.find((p: { id: string }) => p.id === id).available).toBe(9);

    const { inventory } = server().services;
    const orderId = randomUUID();
    await inventory.reserve(orderId, [{ product_id: id, quantity: 4 }]);
    expect((await list(category)).data.find((p: { id: string }) => p.id === id).available).toBe(5);
    await inventory.release(orderId);
    expect((await list(category)).data.find((p: { id: string }) => p.id === id).available).toBe(9);

    await api.patch(`/products/${second}`, { status: 'inactive' }, admin);
    expect(await list(category)).toMatchObject({ total: 1, data: [{ id }] });
    expect((await api.get(`/products?category=${category}&in_stock=false`)).body.total).toBe(0);
  });

  describe('with Redis hung', () => {
    let noRedis: Deps;
    let hung: Server;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      hung = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
      const { port } = hung.address() as { port: number };
      const config = server().config;
      noRedis = createDeps({
        ...config,
        redis: { url: `redis://127.0.0.1:${port}` },
        dependencyTimeoutMs: TIMEOUT_MS,
      });
    });
    afterAll(async () => {
      await closeDeps(noRedis).catch(() => undefined);
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hung.close(resolve));
    });

    it('lists from Postgres without waiting on the cache', async () => {
      const { id, category } = await categoryWith(3);
      const { products } = createServices(noRedis, createLogger('silent'));
      const started = Date.now();
      const page = await products.list({ page: 1, page_size: 10, category, sort: 'newest' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
      expect(page).toMatchObject({ total: 1, data: [{ id, available: 3 }] });
    });
  });
});
