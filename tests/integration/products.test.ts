import { randomUUID } from 'node:crypto';
import { TOPICS } from '../../platform/kafka/topics';
import { unique } from '../support/deps';
import { adminToken, client, signUp, type Client } from '../support/http';
import { findEvent } from '../support/kafka';
import { useServer } from '../support/server';

describe('products over HTTP', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  const category = unique('cat').slice(0, 40);

  const create = async (over: Record<string, unknown> = {}) => {
    const res = await api.post(
      '/products',
      {
        sku: unique('SKU').slice(0, 50),
        name: 'Sambal Bawang Bu Rudy',
        price: '45000.00',
        category,
        quantity: 5,
        ...over,
      },
      admin,
    );
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  describe('admin writes', () => {
    it('creates a product with stock and publishes product.upserted', async () => {
      const p = await create({ price: '125000.5', quantity: 7 });
      expect(p).toMatchObject({ price: '125000.50', available: 7, in_stock: true, status: 'active' });
      const event = await findEvent(server().deps.kafka, TOPICS.products.name, (e) => e.aggregate_id === p.id);
      expect(event).toMatchObject({ type: 'product.upserted', data: { sku: p.sku, price: '125000.50' } });
    });

    it('is refused to shoppers (403) and strangers (401)', async () => {
      const shopper = await signUp(api);
      const body = { sku: unique('SKU').slice(0, 50), name: 'x', price: '1.00' };
      expect((await api.post('/products', body, shopper.token)).status).toBe(403);
      expect((await api.post('/products', body)).status).toBe(401);
      const p = await create();
      expect((await api.patch(`/products/${p.id}`, { price: '1.00' }, shopper.token)).status).toBe(403);
      expect((await api.put(`/products/${p.id}/inventory`, { quantity: 999 }, shopper.token)).status).toBe(403);
    });

    it('refuses a duplicate sku (409) and a bad price (400 naming price)', async () => {
      const p = await create();
      expect((await api.post('/products', { sku: p.sku, name: 'x', price: '1.00' }, admin)).status).toBe(409);
      const bad = await api.post('/products', { sku: unique('SKU'), name: 'x', price: '12.345' }, admin);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('price');
    });

    it('invalidates the product:{id} cache on update', async () => {
      const p = await create();
      await api.get(`/products/${p.id}`);
      expect(await server().deps.redis.ttl(`product:${p.id}`)).toBeGreaterThan(800);
      await api.patch(`/products/${p.id}`, { name: 'Sambal Matah' }, admin);
      expect(await server().deps.redis.exists(`product:${p.id}`)).toBe(0);
      expect((await api.get(`/products/${p.id}`)).body.name).toBe('Sambal Matah');
    });

    it('sets stock, keeps inventory:{id} current, and publishes inventory.changed', async () => {
      const p = await create({ quantity: 3 });
      const res = await api.put(`/products/${p.id}/inventory`, { quantity: 12 }, admin);
      expect(res.body).toEqual({ product_id: p.id, quantity: 12, reserved: 0, available: 12 });
      expect(await server().deps.redis.get(`inventory:${p.id}`)).toBe('12');
      const event = await findEvent(
        server().deps.kafka,
        TOPICS.inventory.name,
        (e) => e.aggregate_id === p.id && e.data.reason === 'stock_set',
      );
      expect(event.data).toMatchObject({ quantity: 12, available: 12 });
    });
  });

  describe('browsing', () => {
    it('pages, filters by price and stock, and sorts', async () => {
      await create({ price: '10000.00', quantity: 0, name: 'Kerupuk Udang' });
      await create({ price: '20000.00', quantity: 2, name: 'Keripik Tempe' });
      await create({ price: '30000.00', quantity: 2, name: 'Rendang Kaleng' });
      const all = await api.get(`/products?category=${category}&sort=price_asc&page_size=100`);
      expect(all.status).toBe(200);
      const prices = all.body.data.map((p: any) => Number(p.price));
      expect(prices).toEqual([...prices].sort((a, b) => a - b));

      const ranged = await api.get(`/products?category=${category}&min_price=15000&max_price=30000&in_stock=true`);
      expect(ranged.body.data.map((p: any) => p.name).sort()).toEqual(['Keripik Tempe', 'Rendang Kaleng']);

      const page = await api.get(`/products?category=${category}&page=2&page_size=1&sort=price_desc`);
      expect(page.body).toMatchObject({ page: 2, page_size: 1 });
      expect(page.body.data).toHaveLength(1);
      expect(page.body.total).toBe(all.body.total);
    });

    it('caps the page size and names bad query fields', async () => {
      const res = await api.get('/products?page_size=500&sort=cheapest&min_price=-1');
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field).sort()).toEqual(['min_price', 'page_size', 'sort']);
      expect((await api.get('/products?min_price=10&max_price=5')).status).toBe(400);
    });

    it('hides inactive products from the list', async () => {
      const p = await create({ status: 'inactive' });
      const list = await api.get(`/products?category=${category}&page_size=100`);
      expect(list.body.data.map((x: any) => x.id)).not.toContain(p.id);
    });

    it('answers product detail and availability, 404 for unknown, 400 for a bad id', async () => {
      const p = await create({ quantity: 4 });
      expect((await api.get(`/products/${p.id}`)).body).toMatchObject({ id: p.id, available: 4 });
      expect((await api.get(`/products/${p.id}/inventory`)).body).toEqual({
        product_id: p.id,
        quantity: 4,
        reserved: 0,
        available: 4,
      });
      const other = await create({ quantity: 1 });
      const many = await api.get(`/products/inventory?ids=${p.id},${other.id},${randomUUID()}`);
      expect(many.body.data.map((r: any) => r.product_id).sort()).toEqual([p.id, other.id].sort());
      expect((await api.get(`/products/${randomUUID()}`)).status).toBe(404);
      expect((await api.get(`/products/${randomUUID()}/inventory`)).status).toBe(404);
      const bad = await api.get('/products/not-a-uuid');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('id');
      expect((await api.get('/products/inventory?ids=abc')).status).toBe(400);
    });
  });
});
