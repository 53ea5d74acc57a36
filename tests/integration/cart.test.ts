import { randomUUID } from 'node:crypto';
import { adminToken, client, signUp, type Client } from '../support/http';
import { newProduct } from '../support/shop';
import { useServer } from '../support/server';

describe('cart over HTTP', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('adds, merges, changes and removes lines, priced from the catalog, kept 30 days', async () => {
    const me = await signUp(api);
    const a = await newProduct(api, admin, 10, '12500.50');
    const b = await newProduct(api, admin, 10, '1000.00');
    await api.post('/cart/items', { product_id: a, quantity: 1 }, me.token);
    const merged = await api.post('/cart/items', { product_id: a, quantity: 2 }, me.token);
    expect(merged.status).toBe(201);
    expect(merged.body.items).toEqual([
      expect.objectContaining({ product_id: a, quantity: 3, line_total: '37501.50' }),
    ]);
    await api.post('/cart/items', { product_id: b, quantity: 4 }, me.token);
    expect((await api.get('/cart', me.token)).body).toMatchObject({ item_count: 7, subtotal: '41501.50' });
    const ttl = await server().deps.redis.ttl(`cart:${me.id}`);
    expect(ttl).toBeGreaterThan(30 * 24 * 3600 - 60);

    expect((await api.patch(`/cart/items/${a}`, { quantity: 1 }, me.token)).body.subtotal).toBe('16500.50');
    expect((await api.del(`/cart/items/${b}`, me.token)).status).toBe(204);
    expect((await api.del(`/cart/items/${b}`, me.token)).status).toBe(404);
    expect((await api.del('/cart', me.token)).status).toBe(204);
    expect((await api.get('/cart', me.token)).body).toEqual({
      items: [],
      item_count: 0,
      subtotal: '0.00',
      // The voucher codes typed at the cart (none here) and the totals after them (cart-vouchers.test.ts).
      vouchers: [],
      totals: { subtotal: '0.00', discount: '0.00', shipping_discount: '0.00', total_before_shipping: '0.00' },
    });
  });

  it('refuses unknown, inactive and out-of-stock products with clear 4xx', async () => {
    const me = await signUp(api);
    const unknown = await api.post('/cart/items', { product_id: randomUUID(), quantity: 1 }, me.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details[0].field).toBe('product_id');

    const scarce = await newProduct(api, admin, 2);
    const tooMany = await api.post('/cart/items', { product_id: scarce, quantity: 3 }, me.token);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error).toMatchObject({ code: 'insufficient_stock', details: { available: 2 } });

    const retired = await newProduct(api, admin, 5);
    await api.patch(`/products/${retired}`, { status: 'inactive' }, admin);
    expect((await api.post('/cart/items', { product_id: retired, quantity: 1 }, me.token)).status).toBe(409);

    const bad = await api.post('/cart/items', { product_id: 'x', quantity: 0 }, me.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual(['product_id', 'quantity']);
    expect((await api.get('/cart')).status).toBe(401);
  });

  it('prices shipping by destination and weight, naming bad fields', async () => {
    const res = await api.post('/shipping/rates', {
      destination: { province_id: 51, city_id: 5171 },
      weight_grams: 2500,
    });
    expect(res.body.rates.map((r: any) => [r.service, r.cost])).toEqual([
      ['regular', '96000.00'],
      ['express', '173000.00'],
    ]);
    const bad = await api.post('/shipping/rates', { destination: { province_id: 5 }, weight_grams: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual([
      'destination.city_id',
      'destination.province_id',
      'weight_grams',
    ]);
  });
});
