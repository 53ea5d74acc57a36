/**
 * OWASP API5:2023 Broken Function Level Authorization: admin routes refuse shoppers (403) and
 * strangers (401); the service-to-service inventory routes refuse everyone but a token signed
 * with the internal secret and audience, admins included.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AUDIENCE, ISSUER } from '../../services/auth/tokens';
import { adminToken, client, serviceToken, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { newProduct } from '../support/shop';

const HOUR = 3_600_000;

describe('API5 broken function level authorization', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  let productId: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
    productId = await newProduct(api, admin, 5);
  });

  const adminRoutes = () =>
    [
      ['POST', '/products', { sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Gula Aren', price: '1.00' }],
      ['PATCH', `/products/${productId}`, { price: '1.00' }],
      ['PUT', `/products/${productId}/inventory`, { quantity: 0 }],
      ['POST', '/refunds', { order_id: randomUUID(), reason: 'because' }],
      ['GET', '/admin/shipments', undefined],
      ['GET', '/admin/shipments/stuck', undefined],
      ['POST', `/admin/shipments/${randomUUID()}/rebook`, { reason: 'because' }],
      ['GET', '/admin/complaints', undefined],
      ['GET', `/admin/complaints/${randomUUID()}`, undefined],
      ['POST', `/admin/complaints/${randomUUID()}/answer`, { answer: 'accept_refund' }],
      ['POST', `/admin/complaints/${randomUUID()}/answer`, { answer: 'accept_replacement' }],
      ['POST', `/admin/complaints/${randomUUID()}/offer`, { amount: '1.00' }],
      ['POST', `/admin/complaints/${randomUUID()}/decide`, { outcome: 'refund' }],
      ['POST', `/admin/users/${randomUUID()}/disable`, undefined],
      ['POST', `/admin/users/${randomUUID()}/enable`, undefined],
      ['POST', `/admin/refunds/${randomUUID()}/transferred`, undefined],
      ['GET', '/admin/refunds?status=awaiting_transfer', undefined],
    ] as const;
  const internalRoutes = () =>
    [
      ['POST', '/inventory/reserve', { order_id: randomUUID(), items: [{ product_id: productId, quantity: 1 }] }],
      ['POST', '/inventory/release', { order_id: randomUUID() }],
      ['POST', '/inventory/deduct', { order_id: randomUUID() }],
    ] as const;

  it('refuses admin routes to a shopper (403) and to nobody (401), changing nothing', async () => {
    const shopper = await signUp(api);
    for (const [method, path, body] of adminRoutes()) {
      const asShopper = await api.raw(method, path, { body, token: shopper.token });
      expect({ path, status: asShopper.status, code: asShopper.body.error?.code }).toEqual({
        path,
        status: 403,
        code: 'forbidden',
      });
      const anonymous = await api.raw(method, path, { body });
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
    }
    const product = await api.get(`/products/${productId}`);
    expect(product.body.price).not.toBe('1.00');
  });

  it('keeps account controls for admins: a shopper cannot disable another, an admin not an unknown id nor themselves', async () => {
    const [shopper, victim] = [await signUp(api), await signUp(api)];
    const tried = await api.post(`/admin/users/${victim.id}/disable`, undefined, shopper.token);
    expect({ status: tried.status, code: tried.body.error?.code }).toEqual({ status: 403, code: 'forbidden' });
    expect((await api.post(`/admin/users/${victim.id}/disable`)).status).toBe(401);
    expect((await api.get('/users/me', victim.token)).status).toBe(200);

    const unknown = await api.post(`/admin/users/${randomUUID()}/disable`, undefined, admin);
    expect({ status: unknown.status, code: unknown.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
    expect((await api.post(`/admin/users/${randomUUID()}/enable`, undefined, admin)).status).toBe(404);
    const badId = await api.post('/admin/users/not-a-uuid/disable', undefined, admin);
    expect({ status: badId.status, field: badId.body.error?.details?.[0]?.field }).toEqual({
      status: 400,
      field: 'id',
    });

    // Not yourself: with the caller an active admin, that is also what keeps the shop an admin.
    const { sub: adminId } = jwt.decode(admin) as jwt.JwtPayload;
    const self = await api.post(`/admin/users/${adminId}/disable`, undefined, admin);
    expect({ status: self.status, code: self.body.error?.code }).toEqual({ status: 409, code: 'conflict' });
    expect((await api.get('/admin/complaints', admin)).status).toBe(200);
    expect(await server().deps.db.outboxEvent.count({ where: { key: adminId, type: 'user.status_changed' } })).toBe(0);
  });

  it('refuses a forged admin role: a shopper token re-signed with another secret, or role edited', async () => {
    const shopper = await signUp(api);
    const claims = jwt.decode(shopper.token) as jwt.JwtPayload;
    const forged = jwt.sign({ ...claims, role: 'admin' }, 'not-the-secret-'.repeat(3), { algorithm: 'HS256' });
    expect((await api.patch(`/products/${productId}`, { price: '1.00' }, forged)).status).toBe(401);
    const wrongAudience = jwt.sign(
      { sub: shopper.id, sid: claims.sid, role: 'admin' },
      server().config.auth.internalJwtSecret,
      { issuer: ISSUER, audience: AUDIENCE, expiresIn: 60, jwtid: randomUUID() },
    );
    expect((await api.patch(`/products/${productId}`, { price: '1.00' }, wrongAudience)).status).toBe(401);
  });

  it('keeps the internal inventory routes for services only: not shoppers, not admins', async () => {
    const shopper = await signUp(api);
    for (const [method, path, body] of internalRoutes()) {
      for (const [who, token] of [
        ['shopper', shopper.token],
        ['admin', admin],
      ] as const) {
        const res = await api.raw(method, path, { body, token });
        expect({ path, who, status: res.status }).toEqual({ path, who, status: 403 });
      }
      expect((await api.raw(method, path, { body })).status).toBe(401);
      expect((await api.raw(method, path, { body, token: serviceToken() })).status).toBeLessThan(300);
    }
  });

  it('keeps the analytics figures for admins: 403 for a shopper, 401 for nobody; the page itself holds none', async () => {
    const shopper = await signUp(api);
    for (const path of ['/analytics/dashboard', '/analytics/orders?granularity=month']) {
      const asShopper = await api.get(path, shopper.token);
      expect({ path, status: asShopper.status, code: asShopper.body.error?.code }).toEqual({
        path,
        status: 403,
        code: 'forbidden',
      });
      expect({ path, status: (await api.get(path)).status }).toEqual({ path, status: 401 });
      expect({ path, status: (await api.get(path, admin)).status }).toEqual({ path, status: 200 });
    }
    // The operator page is public on purpose: it is a sign-in form and a script, every figure comes from the routes above.
    const page = await fetch(`${server().base}/dashboard`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toMatch(/\d{4,}/);
  });
});

/**
 * OWASP API5:2023 Broken Function Level Authorization, for the voucher routes: creating,
 * changing and inspecting vouchers is for operators only (403 to a shopper, 401 to nobody), and
 * a refused call changes nothing.
 */
describe('API5 voucher routes are admin only', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('refuses a shopper (403) and nobody (401) on every voucher route, changing nothing', async () => {
    const name = `API5 ${randomUUID().slice(0, 8)}`;
    const terms = {
      name,
      kind: 'discount',
      percent_off: 100,
      max_discount: '100000000.00',
      budget_uses: 10_000_000,
      valid_from: new Date(Date.now() - HOUR).toISOString(),
      valid_until: new Date(Date.now() + HOUR).toISOString(),
    };
    const own = await api.post('/admin/vouchers', { ...terms, name: `${name} own`, percent_off: 5 }, admin);
    expect(own.status).toBe(201);
    const id = own.body.id as string;
    const shopper = await signUp(api);
    const routes = [
      ['POST', '/admin/vouchers', terms],
      ['PATCH', `/admin/vouchers/${id}`, { budget_uses: 10_000_000, status: 'active' }],
      ['GET', `/admin/vouchers/${id}`, undefined],
      ['GET', `/admin/vouchers/${randomUUID()}`, undefined],
    ] as const;
    for (const [method, path, body] of routes) {
      const asShopper = await api.raw(method, path, { body, token: shopper.token });
      expect({ path, status: asShopper.status, code: asShopper.body.error?.code }).toEqual({
        path,
        status: 403,
        code: 'forbidden',
      });
      expect(JSON.stringify(asShopper.body)).not.toContain(own.body.code);
      const anonymous = await api.raw(method, path, { body });
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
    }
    const db = server().deps.db;
    expect(await db.voucher.count({ where: { name } })).toBe(0);
    expect(await db.voucher.findUniqueOrThrow({ where: { id } })).toMatchObject({
      budget_uses: 10_000_000,
      percent_off: 5,
    });
  });
});
