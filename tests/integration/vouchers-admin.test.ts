/** The operators' voucher routes over HTTP: create, inspect, pause/resume, extend, budget changes. */
import { randomUUID } from 'node:crypto';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';

const HOUR = 3_600_000;
const window = () => ({
  valid_from: new Date(Date.now() - HOUR).toISOString(),
  valid_until: new Date(Date.now() + HOUR).toISOString(),
});
const field = (res: { body: any }) => res.body.error?.details?.map((d: { field: string }) => d.field);

describe('voucher admin routes', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('creates a free-shipping voucher with an unguessable code and shows its budget', async () => {
    const res = await api.post(
      '/admin/vouchers',
      {
        name: 'Gratis Ongkir 12.12',
        kind: 'shipping',
        amount_off: '20000',
        budget_uses: 100,
        budget_amount: '1500000.50',
        ...window(),
      },
      admin,
    );
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[2-9A-HJKMNP-Z]{12}$/);
    expect(res.body).toMatchObject({
      kind: 'shipping',
      amount_off: '20000.00',
      status: 'active',
      per_shopper_limit: 1,
      budget: { amount: '1500000.50', uses: 100, spent: '0.00', used: 0, amount_left: '1500000.50', uses_left: 100 },
      claims: { claimed: 0, released: 0, returned: 0, recent: [] },
    });
    const read = await api.get(`/admin/vouchers/${res.body.id}`, admin);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('shows a claim in the budget and the claims', async () => {
    const created = await api.post(
      '/admin/vouchers',
      { name: 'Diskon Kopi', kind: 'discount', percent_off: 10, max_discount: '25000.00', budget_uses: 5, ...window() },
      admin,
    );
    const orderId = randomUUID();
    await server().services.promotions.claims.claim({
      orderId,
      userId: randomUUID(),
      identity: { phone: null, address: null },
      codes: [created.body.code.toLowerCase()],
      basket: { shipping: '10000.00', lines: [{ product_id: randomUUID(), category: 'kopi', amount: '99999.00' }] },
    });
    const read = await api.get(`/admin/vouchers/${created.body.id}`, admin);
    expect(read.body.budget).toMatchObject({ used: 1, uses_left: 4, spent: '9999.00', amount_left: null });
    expect(read.body.claims).toMatchObject({
      claimed: 1,
      recent: [{ order_id: orderId, amount: '9999.00', status: 'claimed' }],
    });
  });

  it('refuses broken terms with a 400 naming the field', async () => {
    const base = { name: 'Promo', kind: 'discount', amount_off: '5000.00', budget_uses: 10, ...window() };
    const cases: [Record<string, unknown>, string][] = [
      [{ amount_off: undefined, percent_off: 101, max_discount: '1000.00' }, 'percent_off'],
      [{ amount_off: undefined, percent_off: 20 }, 'max_discount'],
      [{ amount_off: '0.00' }, 'amount_off'],
      [{ amount_off: '-5000' }, 'amount_off'],
      [{ amount_off: '5000.001' }, 'amount_off'],
      [{ amount_off: '1000000000.00' }, 'amount_off'],
      [{ budget_uses: undefined }, 'budget_amount'],
      [{ valid_until: base.valid_from }, 'valid_until'],
      [{ valid_from: 'yesterday' }, 'valid_from'],
      [{ kind: 'cashback' }, 'kind'],
    ];
    for (const [change, name] of cases) {
      const res = await api.post('/admin/vouchers', { ...base, ...change }, admin);
      expect({ name, status: res.status, fields: field(res) }).toEqual({ name, status: 400, fields: [name] });
    }
  });

  it('pauses, resumes, extends and raises the budget, never below what is spent or used', async () => {
    const created = await api.post(
      '/admin/vouchers',
      {
        name: 'Flash',
        kind: 'discount',
        amount_off: '10000.00',
        budget_uses: 3,
        budget_amount: '30000.00',
        ...window(),
      },
      admin,
    );
    const id = created.body.id as string;
    const paused = await api.patch(`/admin/vouchers/${id}`, { status: 'paused' }, admin);
    expect(paused.body.status).toBe('paused');
    expect((await api.patch(`/admin/vouchers/${id}`, { status: 'active' }, admin)).body.status).toBe('active');
    const until = new Date(Date.now() + 48 * HOUR).toISOString();
    expect((await api.patch(`/admin/vouchers/${id}`, { valid_until: until }, admin)).body.valid_until).toBe(until);
    const ended = await api.patch(`/admin/vouchers/${id}`, { valid_until: created.body.valid_from }, admin);
    expect({ status: ended.status, fields: field(ended) }).toEqual({ status: 400, fields: ['valid_until'] });

    for (let i = 0; i < 2; i++)
      await server().services.promotions.claims.claim({
        orderId: randomUUID(),
        userId: randomUUID(),
        identity: { phone: null, address: null },
        codes: [created.body.code],
        basket: { shipping: '0.00', lines: [{ product_id: randomUUID(), category: 'kopi', amount: '50000.00' }] },
      });
    const below = await api.patch(`/admin/vouchers/${id}`, { budget_amount: '19999.99' }, admin);
    expect({ status: below.status, field: below.body.error.details.field }).toEqual({
      status: 409,
      field: 'budget_amount',
    });
    const fewer = await api.patch(`/admin/vouchers/${id}`, { budget_uses: 1 }, admin);
    expect({ status: fewer.status, field: fewer.body.error.details.field }).toEqual({
      status: 409,
      field: 'budget_uses',
    });
    const exact = await api.patch(`/admin/vouchers/${id}`, { budget_amount: '20000.00', budget_uses: 2 }, admin);
    expect(exact.body.budget).toMatchObject({ amount_left: '0.00', uses_left: 0 });
    const raised = await api.patch(`/admin/vouchers/${id}`, { budget_amount: '100000.00', budget_uses: 10 }, admin);
    expect(raised.body.budget).toMatchObject({ spent: '20000.00', used: 2, amount_left: '80000.00', uses_left: 8 });
  });

  it('answers an unknown voucher 404 and a malformed id 400', async () => {
    expect((await api.get(`/admin/vouchers/${randomUUID()}`, admin)).status).toBe(404);
    expect((await api.patch(`/admin/vouchers/${randomUUID()}`, { status: 'paused' }, admin)).status).toBe(404);
    const bad = await api.get('/admin/vouchers/not-an-id', admin);
    expect({ status: bad.status, fields: field(bad) }).toEqual({ status: 400, fields: ['id'] });
    const empty = await api.patch(`/admin/vouchers/${randomUUID()}`, {}, admin);
    expect(empty.status).toBe(400);
  });
});
