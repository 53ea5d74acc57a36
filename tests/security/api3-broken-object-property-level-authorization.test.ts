/**
 * OWASP API3:2023 Broken Object Property Level Authorization: no mass assignment (a field the
 * caller may not set is refused by name, with nothing changed), and no excess data exposure
 * (responses carry exactly their documented properties, never hashes, roles or secrets).
 */
import { randomUUID } from 'node:crypto';
import { adminToken, client, newUser, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { bandung, newProduct, shopperWithCart, waitFor } from '../support/shop';
import { useGatewayProcess } from '../support/gateway-process';
import { atGateway, checkoutWith, orderPaid } from '../support/payments';

const HOUR = 3_600_000;

const refusedNaming = (res: { status: number; body: any }, field: string) => {
  expect({ field, status: res.status }).toEqual({ field, status: 400 });
  expect(res.body.error.code).toBe('validation_failed');
  expect(JSON.stringify(res.body.error.details)).toContain(field);
};

describe('API3 broken object property level authorization', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it('refuses fields a shopper may not set, naming them, and changes nothing', async () => {
    refusedNaming(await api.post('/auth/register', { ...newUser(), role: 'admin' }), 'role');
    refusedNaming(await api.post('/auth/register', { ...newUser(), email_verified: true }), 'email_verified');
    const me = await signUp(api);
    for (const field of ['email', 'role', 'id', 'password_hash', 'created_at']) {
      refusedNaming(await api.patch('/users/me', { first_name: 'Ayu', [field]: 'x' }, me.token), field);
    }
    refusedNaming(await api.post('/users/me/addresses', { ...bandung, user_id: me.id }, me.token), 'user_id');
    const productId = await newProduct(api, await adminToken(server()), 5);
    refusedNaming(
      await api.post('/cart/items', { product_id: productId, quantity: 1, price: '1.00' }, me.token),
      'price',
    );

    const profile = await api.get('/users/me', me.token);
    expect(profile.body).toMatchObject({ first_name: 'Sari', email: me.email });
    const credential = await server().deps.db.credential.findUniqueOrThrow({ where: { user_id: me.id } });
    expect(credential).toMatchObject({ role: 'customer', email_verified: false });
  });

  it('answers with exactly the documented properties: no hash, role, secret or internal field', async () => {
    const me = await signUp(api);
    const address = await api.post('/users/me/addresses', bandung, me.token);
    const login = await api.post('/auth/login', { email: me.email, password: me.password });
    const profile = await api.get('/users/me', me.token);
    expect(Object.keys(profile.body).sort()).toEqual(
      ['created_at', 'email', 'first_name', 'id', 'last_name', 'phone', 'updated_at'].sort(),
    );
    expect(Object.keys(login.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    for (const body of [profile.body, address.body, login.body, (await api.get('/products?page_size=5')).body]) {
      expect(JSON.stringify(body)).not.toMatch(/password|hash|argon|"role"|secret|internal/i);
    }
  });
});

describe("API3 broken object property level authorization: a refund account's number", () => {
  const gateway = useGatewayProcess({ ledger: false });
  const server = useServer({
    worker: true,
    configure: (c) => ({
      ...c,
      payments: { ...c.payments, gatewayUrl: gateway().url, gatewayName: `api3-${Date.now().toString(36)}` },
    }),
  });

  it('is shown back with its last four digits only, and never in the payment', async () => {
    const api = client(server().base);
    const productId = await newProduct(api, await adminToken(server()), 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const placed = await checkoutWith(api, me.token, me.address_id, { type: 'bank_transfer', bank: 'bri' });
    expect(placed.status).toBe(202);
    const orderId = placed.body.order_id as string;
    const number = '002101234567508';
    const given = await api.post(
      `/payments/${orderId}/refund-account`,
      { bank_code: 'bri', account_number: number, holder_name: 'Siti Rahayu' },
      me.token,
    );
    expect(given.status).toBe(200);
    expect(Object.keys(given.body).sort()).toEqual(['account_number_last4', 'bank_code', 'holder_name', 'order_id']);
    expect(given.body.account_number_last4).toBe('7508');
    const payment = await api.get(`/payments/${orderId}`, me.token);
    for (const body of [given.body, payment.body]) expect(JSON.stringify(body)).not.toContain(number);
    await api.post(`/orders/${orderId}/cancel`, undefined, me.token);
  });

  it("is never in the operators' list of manual refunds either: bank and last four digits only, no holder name", async () => {
    const api = client(server().base);
    const admin = await adminToken(server());
    const productId = await newProduct(api, admin, 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const placed = await checkoutWith(api, me.token, me.address_id, { type: 'bank_transfer', bank: 'bni' });
    expect(placed.status).toBe(202);
    const orderId = placed.body.order_id as string;
    const va = placed.body.payment.instructions.va_number as string;
    expect((await atGateway(gateway().url, `/_sim/va/${va}/pay`)).status).toBe(200);
    await orderPaid(api, me.token, orderId);
    const number = '3300987612345678';
    const holder = 'Rahmat Hidayatullah';
    const account = { bank_code: 'bni', account_number: number, holder_name: holder };
    expect((await api.post(`/payments/${orderId}/refund-account`, account, me.token)).status).toBe(200);
    await server().services.payments.refund(orderId, 'cancelled before pickup', randomUUID());

    // Mine is the newest awaiting a transfer: on the last page.
    const item = await waitFor('the refund in the list', async () => {
      const first = await api.get('/admin/refunds?status=awaiting_transfer&page_size=100', admin);
      const lastPage = Math.max(1, Math.ceil(first.body.total / 100));
      const page = await api.get(`/admin/refunds?status=awaiting_transfer&page_size=100&page=${lastPage}`, admin);
      expect(JSON.stringify(page.body)).not.toContain(number);
      expect(JSON.stringify(page.body)).not.toContain(holder);
      return (page.body.data as { order_id: string }[]).find((r) => r.order_id === orderId);
    });
    expect(Object.keys(item).sort()).toEqual(
      [
        'account',
        'account_given',
        'age_seconds',
        'amount',
        'created_at',
        'id',
        'method',
        'method_detail',
        'order_id',
        'order_number',
        'status',
        'transferred_at',
      ].sort(),
    );
    expect((item as any).account).toEqual({ bank_code: 'bni', account_number_last4: '5678' });
    // Tidy: transferred, it leaves the shared list.
    expect((await api.post(`/admin/refunds/${(item as any).id}/transferred`, undefined, admin)).status).toBe(200);
  });
});

describe('API3 broken object property level authorization: a cash-on-delivery payment', () => {
  const server = useServer({ worker: true });

  it('shows exactly the documented properties: the amount to collect, and no courier nor gateway detail before delivery', async () => {
    const api = client(server().base);
    const productId = await newProduct(api, await adminToken(server()), 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const placed = await checkoutWith(api, me.token, me.address_id, { type: 'cod' });
    expect(placed.status).toBe(200);
    const orderId = placed.body.order_id as string;
    const doc = (await api.get('/openapi.json')).body;
    const documented = (schema: { properties: Record<string, unknown> }) => Object.keys(schema.properties).sort();

    const payment = await api.get(`/payments/${orderId}`, me.token);
    expect(payment.status).toBe(200);
    expect(Object.keys(payment.body).sort()).toEqual(documented(doc.components.schemas.Payment));
    expect(payment.body).toMatchObject({
      method: 'cod',
      method_detail: null,
      gateway: 'cod',
      status: 'pending',
      // The airway bill becomes the payment's reference only when the courier collects.
      gateway_transaction_id: null,
      expires_at: null,
      refund_reason: null,
    });
    expect(payment.body.instructions).toEqual({ cash_on_delivery: { amount: placed.body.amount.total_amount } });
    // The checkout's answer: only CheckoutAccepted's documented payment properties.
    const paymentDoc = doc.components.schemas.CheckoutAccepted.properties.payment;
    for (const key of Object.keys(placed.body.payment)) expect(documented(paymentDoc)).toContain(key);
    expect(placed.body.payment.instructions).toEqual(payment.body.instructions);
    for (const body of [placed.body, payment.body])
      expect(JSON.stringify(body)).not.toMatch(/user_id|password|secret|internal|refusal|cod_amount/i);
  });
});

/**
 * OWASP API3:2023 Broken Object Property Level Authorization, for vouchers: what the store keeps
 * (spent, used, the code, who created it, when) cannot be set through create or patch, even by an
 * operator; such a field is refused by name and nothing changes.
 */
describe('API3 voucher fields the store keeps cannot be assigned', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  const terms = () => ({
    name: 'Gratis Ongkir',
    kind: 'shipping',
    amount_off: '20000.00',
    budget_uses: 10,
    budget_amount: '200000.00',
    valid_from: new Date(Date.now() - HOUR).toISOString(),
    valid_until: new Date(Date.now() + HOUR).toISOString(),
  });
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  it('refuses spent, used, code and the other kept fields on create', async () => {
    const forced: Record<string, unknown> = {
      spent: '-1000000.00',
      used: -5,
      code: 'AAAAAAAAAAAA',
      id: '00000000-0000-4000-8000-000000000000',
      created_by: '00000000-0000-4000-8000-000000000000',
      created_at: '2020-01-01T00:00:00Z',
      budget: { spent: '0.00' },
      claims: [],
    };
    for (const [field, value] of Object.entries(forced))
      refusedNaming(await api.post('/admin/vouchers', { ...terms(), [field]: value }, admin), field);
    expect(await server().deps.db.voucher.count({ where: { code: 'AAAAAAAAAAAA' } })).toBe(0);
  });

  it('refuses spent, used, code and the terms on patch, changing nothing', async () => {
    const created = await api.post('/admin/vouchers', terms(), admin);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const forced: Record<string, unknown> = {
      spent: '0.00',
      used: 0,
      code: 'BBBBBBBBBBBB',
      kind: 'discount',
      amount_off: '99999999.00',
      per_shopper_limit: 100,
      user_id: '00000000-0000-4000-8000-000000000000',
      valid_from: '2020-01-01T00:00:00Z',
    };
    for (const [field, value] of Object.entries(forced))
      refusedNaming(await api.patch(`/admin/vouchers/${id}`, { status: 'paused', [field]: value }, admin), field);
    const after = await api.get(`/admin/vouchers/${id}`, admin);
    expect(after.body).toEqual(created.body);
  });

  it('answers with exactly the documented properties', async () => {
    const created = await api.post('/admin/vouchers', terms(), admin);
    expect(Object.keys(created.body).sort()).toEqual(
      [
        'amount_off',
        'budget',
        'claims',
        'code',
        'created_at',
        'id',
        'kind',
        'max_discount',
        'min_spend',
        'name',
        'per_shopper_limit',
        'percent_off',
        'scope',
        'status',
        'updated_at',
        'user_id',
        'valid_from',
        'valid_until',
      ].sort(),
    );
  });
});
