/**
 * OWASP API4:2023 Unrestricted Resource Consumption: sign-up and login rate limits (429 with
 * Retry-After), the body limit, page and list caps, and the cap on saved addresses.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../platform/config';
import { MAX_BODY_BYTES } from '../../api/app';
import { client, newUser, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { bandung, newProduct, shopperWithCart } from '../support/shop';
import { checkoutWith } from '../support/payments';
import { adminToken } from '../support/http';
import { useAppWith } from './support/app-with';
import { clientFrom, randomAddress } from './support/from-address';
import { generateCode } from '../../services/promotions/codes';

const HOUR = 3_600_000;

// The production default, not the suite's raised value (tests/support/suite-env.ts).
const SIGNUP_LIMIT = loadConfig({}).rateLimits.signup;

describe('API4 unrestricted resource consumption', () => {
  const server = useServer();
  const strict = useAppWith(server, (config) => ({
    ...config,
    rateLimits: { ...config.rateLimits, signup: SIGNUP_LIMIT },
  }));
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it(`allows ${SIGNUP_LIMIT} sign-ups per address per window, then 429 with Retry-After`, async () => {
    const from = clientFrom(strict(), randomAddress());
    for (let i = 0; i < SIGNUP_LIMIT; i++) expect((await from.post('/auth/register', newUser())).status).toBe(201);
    const refused = await from.post('/auth/register', newUser());
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await clientFrom(strict()).post('/auth/register', newUser())).status).toBe(201);
  });

  describe('X-Forwarded-For is believed only from a trusted proxy (TRUSTED_PROXIES)', () => {
    // Loopback addresses stand in for the proxy's network: 127.250.0.0/16 is "Traefik's pods".
    const PROXIES = '127.250.0.0/16';
    const proxied = useAppWith(server, (config) => ({
      ...config,
      api: { ...config.api, trustedProxies: [PROXIES] },
      rateLimits: { ...config.rateLimits, signup: SIGNUP_LIMIT },
    }));
    const proxyAddress = () => `127.250.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    const register = (from: Client, forwardedFor: string) =>
      from.raw('POST', '/auth/register', { body: newUser(), headers: { 'x-forwarded-for': forwardedFor } });

    it('a client that is not a proxy cannot leave its bucket by writing X-Forwarded-For', async () => {
      const from = clientFrom(proxied(), randomAddress());
      for (let i = 0; i < SIGNUP_LIMIT; i++) expect((await register(from, randomAddress())).status).toBe(201);
      expect((await register(from, randomAddress())).status).toBe(429);
    });

    it("behind a trusted proxy each client has its own bucket: the right-most untrusted address, not the proxy's", async () => {
      const proxy = clientFrom(proxied(), proxyAddress());
      // Many clients through one proxy: none is limited by the others' sign-ups.
      for (let i = 0; i <= SIGNUP_LIMIT; i++) {
        const res = await register(proxy, `6.6.6.6, ${randomAddress()}, ${proxyAddress()}`);
        expect([i, res.status]).toEqual([i, 201]);
      }
      // One client through it: limited, whatever it wrote to the left of what the proxy appended.
      const client = randomAddress();
      for (let i = 0; i < SIGNUP_LIMIT; i++)
        expect((await register(proxy, `${randomAddress()}, ${client}`)).status).toBe(201);
      expect((await register(proxy, `${randomAddress()}, ${client}`)).status).toBe(429);
    });
  });

  it('limits login attempts per address and email: 429 with Retry-After', async () => {
    const user = newUser();
    await api.post('/auth/register', user);
    const from = clientFrom(server().base);
    for (let i = 0; i < server().config.rateLimits.login; i++)
      expect((await from.post('/auth/login', { email: user.email, password: `wrong-${i}` })).status).toBe(401);
    const blocked = await from.post('/auth/login', { email: user.email, password: user.password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it(`refuses a body over ${MAX_BODY_BYTES} bytes with 413`, async () => {
    const res = await api.raw('POST', '/auth/register', {
      raw: JSON.stringify({ ...newUser(), first_name: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('caps page_size and id lists, naming the field', async () => {
    const page = await api.get('/products?page_size=100000');
    expect(page.status).toBe(400);
    expect(JSON.stringify(page.body.error.details)).toContain('page_size');
    const ids = Array.from({ length: 101 }, () => '00000000-0000-4000-8000-000000000000').join(',');
    const inventory = await api.get(`/products/inventory?ids=${ids}`);
    expect(inventory.status).toBe(400);
    expect(JSON.stringify(inventory.body.error.details)).toContain('ids');
  });

  it('caps saved addresses per shopper: the next one is 409 limit_exceeded naming the limit', async () => {
    const me = await signUp(api);
    const max = server().config.users.maxAddresses;
    for (let i = 0; i < max; i++)
      expect((await api.post('/users/me/addresses', { ...bandung, label: `Alamat ${i}` }, me.token)).status).toBe(201);
    const refused = await api.post('/users/me/addresses', { ...bandung, label: 'One too many' }, me.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'saved_addresses', max } });
    const list = await api.get('/users/me/addresses', me.token);
    expect(list.body.data).toHaveLength(max);
    // Deleting one makes room again.
    expect((await api.del(`/users/me/addresses/${list.body.data[0].id}`, me.token)).status).toBe(204);
    expect((await api.post('/users/me/addresses', { ...bandung, label: 'Room again' }, me.token)).status).toBe(201);
  });

  it('holds the address cap under concurrent requests', async () => {
    const me = await signUp(api);
    const max = server().config.users.maxAddresses;
    for (let i = 0; i < max - 2; i++) await api.post('/users/me/addresses', { ...bandung, label: `A${i}` }, me.token);
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.post('/users/me/addresses', { ...bandung, label: `B${i}` }, me.token)),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    expect((await api.get('/users/me/addresses', me.token)).body.data).toHaveLength(max);
  });

  it('caps recommendation lists: a limit above 50 is a 400 naming limit', async () => {
    const me = await signUp(api);
    for (const path of [
      '/recommendations/popular?limit=100000',
      `/recommendations/similar/${crypto.randomUUID()}?limit=51`,
      `/recommendations/user/${me.id}?limit=1e9`,
    ]) {
      const res = await api.get(path, me.token);
      expect({ path, status: res.status, field: res.body?.error?.details?.[0]?.field }).toEqual({
        path,
        status: 400,
        field: 'limit',
      });
    }
  });

  it('caps search depth and query size: deep pages, huge pages and absurd queries are 400s naming the field', async () => {
    for (const [path, field] of [
      ['/search?q=kopi&page=101', 'page'],
      ['/search?q=kopi&page_size=100000', 'page_size'],
      [`/search?q=${'kopi%20'.repeat(50)}`, 'q'],
      [`/search?q=${'a'.repeat(5000)}`, 'q'],
      ['/search/suggestions?q=kopi&size=1000', 'size'],
      // Filters and sorts (issue 23): absurd prices, an unknown sort or category code are refused before Elasticsearch.
      ['/search?q=kopi&max_price=1e300', 'max_price'],
      ['/search?q=kopi&min_price=-1', 'min_price'],
      ['/search?q=kopi&min_price=abc', 'min_price'],
      ['/search?q=kopi&sort=_score', 'sort'],
      [`/search?q=kopi&category=${'x'.repeat(500)}`, 'category'],
      ['/search?q=kopi&category=%3Cscript%3E', 'category'],
    ]) {
      const res = await api.get(path!);
      expect({ path, status: res.status, field: res.body?.error?.details?.[0]?.field }).toEqual({
        path,
        status: 400,
        field,
      });
    }
  });

  it('caps notification pages: a huge page or a deep page is a 400 naming the field', async () => {
    const me = await signUp(api);
    for (const [path, field] of [
      ['/notifications?page_size=1000', 'page_size'],
      ['/notifications?page=100000', 'page'],
    ]) {
      const res = await api.get(path!, me.token);
      expect({ path, status: res.status, field: res.body?.error?.details?.[0]?.field }).toEqual({
        path,
        status: 400,
        field,
      });
    }
  });
});

describe('API4 unrestricted resource consumption: payment methods and notifications', () => {
  const server = useServer();

  it('a huge or negative payment_method is a 400 naming the field, never a 5xx, and starts nothing', async () => {
    const api = client(server().base);
    const productId = await newProduct(api, await adminToken(server()), 5);
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const cases: [unknown, string][] = [
      [{ type: 'ewallet', provider: 'ovo', phone: '0812'.padEnd(10_000, '9') }, 'payment_method.phone'],
      [{ type: 'ewallet', provider: 'ovo', phone: '-081234567890' }, 'payment_method.phone'],
      [{ type: 'bank_transfer', bank: 'b'.repeat(10_000) }, 'payment_method.bank'],
      [{ type: 'x'.repeat(10_000) }, 'payment_method.type'],
    ];
    for (const [method, field] of cases) {
      const res = await checkoutWith(api, me.token, me.address_id, method);
      expect(res.status).toBe(400);
      expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toContain(field);
    }
    expect((await api.get('/orders', me.token)).body.data).toEqual([]);
  });

  it('GET /payments/methods: a huge or malformed address_id or shipping_service is a 400 naming it, before any lookup', async () => {
    const api = client(server().base);
    const me = await signUp(api);
    const cases: [string, string][] = [
      [`address_id=${'a'.repeat(10_000)}`, 'address_id'],
      ['address_id=-1', 'address_id'],
      [`shipping_service=${'x'.repeat(10_000)}`, 'shipping_service'],
      ['shipping_service=same_day', 'shipping_service'],
    ];
    for (const [query, field] of cases) {
      const res = await api.get(`/payments/methods?${query}`, me.token);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toContain(field);
    }
  });

  it('a huge, negative or malformed refund account is a 400 naming the field, and nothing is stored', async () => {
    const api = client(server().base);
    const me = await signUp(api);
    const orderId = randomUUID();
    const good = { bank_code: 'bca', account_number: '8730419265', holder_name: 'Siti Rahayu' };
    const cases: [unknown, string][] = [
      [{ ...good, account_number: '9'.repeat(10_000) }, 'account_number'],
      [{ ...good, account_number: '-8730419265' }, 'account_number'],
      [{ ...good, account_number: '8.7e9' }, 'account_number'],
      [{ ...good, holder_name: 'S'.repeat(10_000) }, 'holder_name'],
      [{ ...good, bank_code: 'b'.repeat(10_000) }, 'bank_code'],
    ];
    for (const [account, field] of cases) {
      const res = await api.post(`/payments/${orderId}/refund-account`, account, me.token);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toContain(field);
    }
    expect(await server().deps.db.refundAccount.count({ where: { user_id: me.id } })).toBe(0);
  });

  it('a notification with a 16-digit or negative gross_amount is a 400 naming it, before any signature work', async () => {
    for (const gross_amount of ['1'.repeat(16), '-150000.00', '1'.repeat(10_000)]) {
      const res = await fetch(`${server().base}/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          transaction_id: 'pi_x',
          order_id: '00000000-0000-4000-8000-000000000000',
          gross_amount,
          payment_type: 'bank_transfer',
          transaction_status: 'settlement',
          status_code: '200',
          signature_key: 'a'.repeat(128),
        }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { details: { field: string }[] } };
      expect(body.error.details.map((d) => d.field)).toContain('gross_amount');
    }
  });
});

/**
 * OWASP API4:2023 / API8:2023 for vouchers: absurd numbers (huge, negative, fractional, strings
 * for numbers, numbers for strings, exponents) are refused with a 400 naming the field, never a
 * 5xx, and a voucher can never be made to pay more than its ceiling.
 */
describe('API4 voucher amounts and counts', () => {
  const server = useServer();
  let api: Client;
  let admin: string;
  const terms = () => ({
    name: 'Diskon',
    kind: 'discount',
    percent_off: 10,
    max_discount: '50000.00',
    budget_uses: 10,
    valid_from: new Date(Date.now() - HOUR).toISOString(),
    valid_until: new Date(Date.now() + HOUR).toISOString(),
  });
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const hostile: [string, unknown[]][] = [
    ['percent_off', [101, 0, -1, 12.5, 1e308, -1e308, 2 ** 63, '50', null, true, {}, []]],
    [
      'max_discount',
      [
        '-1.00',
        '0',
        '1e9',
        '1.001',
        '100000000.01',
        '9'.repeat(400),
        'NaN',
        'Infinity',
        ' 100',
        '1,000',
        50000,
        1e308,
        null,
        {},
      ],
    ],
    ['budget_uses', [0, -1, 1.5, 1e308, 2 ** 63, 10_000_001, '10', null]],
    ['budget_amount', ['-1.00', '0.00', '5000000000.01', '1e12', 1000000]],
    ['min_spend', ['-0.01', '1e5', 'abc', 5000]],
    ['per_shopper_limit', [0, -1, 101, 1.5, 1e308, '1']],
    ['valid_until', ['not a date', '0000-01-01T00:00:00Z', '275760-09-13T00:00:00Z', 0, 1e308]],
  ];

  it.each(hostile)('refuses absurd %s values with a 400 naming the field, never a 5xx', async (field, values) => {
    for (const value of values) {
      const res = await api.post('/admin/vouchers', { ...terms(), [field]: value }, admin);
      const named = JSON.stringify(res.body.error?.details ?? '').includes(field);
      expect({ field, value, status: res.status, named }).toEqual({ field, value, status: 400, named: true });
    }
  });

  it('refuses absurd budget changes on patch, and leaves the budget as it was', async () => {
    const created = await api.post('/admin/vouchers', { ...terms(), budget_amount: '100000.00' }, admin);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const [field, value] of [
      ['budget_amount', '-1.00'],
      ['budget_amount', '1e10'],
      ['budget_amount', 99999999999],
      ['budget_uses', -1],
      ['budget_uses', 2 ** 63],
      ['budget_uses', 'lots'],
    ] as const) {
      const res = await api.patch(`/admin/vouchers/${id}`, { [field]: value }, admin);
      expect({ field, value, status: res.status }).toEqual({ field, value, status: 400 });
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
    const after = await api.get(`/admin/vouchers/${id}`, admin);
    expect(after.body.budget).toEqual(created.body.budget);
  });

  it('caps the product scope: at most 500 products', async () => {
    const ids = Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await api.post('/admin/vouchers', { ...terms(), scope_product_ids: ids }, admin);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('scope_product_ids');
  });
});

/**
 * OWASP API4:2023 for voucher codes: guessing is a consumption to bound. Wrong codes are counted
 * per account and per client address (VOUCHER_CODE_FAILURES_PER_ACCOUNT / _PER_ADDRESS in any
 * VOUCHER_CODE_WINDOW_SECONDS), past either a 429 with Retry-After before any lookup; an absurd
 * code is a 400 naming the field, never a 5xx.
 */
describe('API4 voucher code guessing', () => {
  const server = useServer();

  it('the wrong code past the account budget is a 429 with Retry-After, from any address', async () => {
    const api = client(server().base);
    const me = await signUp(api);
    const from = clientFrom(server().base, randomAddress());
    const limit = server().config.rateLimits.voucherCodeFailuresPerAccount;
    for (let i = 0; i < limit; i++)
      expect((await from.post('/cart/vouchers', { code: generateCode() }, me.token)).status).toBe(409);
    for (const elsewhere of [from, clientFrom(server().base, randomAddress())]) {
      const refused = await elsewhere.post('/cart/vouchers', { code: generateCode() }, me.token);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('the wrong code past the address budget is a 429 for every account there', async () => {
    const api = client(server().base);
    const address = randomAddress();
    const { voucherCodeFailuresPerAccount: perAccount, voucherCodeFailuresPerAddress: perAddress } =
      server().config.rateLimits;
    for (let spent = 0; spent < perAddress;) {
      const s = await signUp(api);
      for (let i = 0; i < perAccount && spent < perAddress; i++, spent++)
        expect(
          (await clientFrom(server().base, address).post('/cart/vouchers', { code: generateCode() }, s.token)).status,
        ).toBe(409);
    }
    const fresh = await signUp(api);
    const refused = await clientFrom(server().base, address).post(
      '/cart/vouchers',
      { code: generateCode() },
      fresh.token,
    );
    expect([refused.status, Number(refused.headers.get('retry-after')) > 0]).toEqual([429, true]);
  });

  it('absurd codes are a 400 naming the field, and spend nothing', async () => {
    const api = client(server().base);
    const me = await signUp(api);
    const from = clientFrom(server().base, randomAddress());
    const limit = server().config.rateLimits.voucherCodeFailuresPerAccount;
    for (const code of [
      '9'.repeat(30_000),
      '',
      ' ',
      'Ω'.repeat(12),
      1e308,
      null,
      [],
      { $ne: '' },
      'ABCD; DROP TABLE',
    ]) {
      const res = await from.raw('POST', '/cart/vouchers', { body: { code }, token: me.token });
      expect({
        code,
        status: res.status,
        named: JSON.stringify(res.body.error?.details ?? '').includes('code'),
      }).toEqual({
        code,
        status: 400,
        named: true,
      });
    }
    const path = await from.del(`/cart/vouchers/${'A'.repeat(2000)}`, me.token);
    expect(path.status).toBe(400);
    // None of them was a try: the account still has its whole budget of wrong codes.
    for (let i = 0; i < limit; i++)
      expect((await from.post('/cart/vouchers', { code: generateCode() }, me.token)).status).toBe(409);
  });
});
