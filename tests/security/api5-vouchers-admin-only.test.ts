/**
 * OWASP API5:2023 Broken Function Level Authorization, for the voucher routes: creating,
 * changing and inspecting vouchers is for operators only (403 to a shopper, 401 to nobody), and
 * a refused call changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { adminToken, client, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';

const HOUR = 3_600_000;

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
