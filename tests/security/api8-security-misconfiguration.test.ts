/**
 * OWASP API8:2023 Security Misconfiguration: security headers on every response (hono's
 * secure-headers), no-store on anything carrying tokens or personal data, /docs served from this
 * origin only (Swagger UI from the installed package, a CSP naming no other origin), /metrics never
 * on the public port, errors without stack traces, no text that displays as something other than it
 * holds (direction overrides, invisible characters), and no CORS opened by accident.
 */
import { signCarrierWebhook } from '../../contracts/webhook-signature/carrier';
import { unique } from '../support/deps';
import { adminToken, client, signUp, type Client, type Reply } from '../support/http';
import { useServer } from '../support/server';
import { bandung } from '../support/shop';

const expectHardened = (what: string, headers: Headers) => {
  const h = (name: string) => headers.get(name);
  expect({ what, nosniff: h('x-content-type-options'), frame: h('x-frame-options') }).toEqual({
    what,
    nosniff: 'nosniff',
    frame: 'DENY',
  });
  expect({ what, csp: h('content-security-policy') }).toEqual({
    what,
    csp: expect.stringContaining("frame-ancestors 'none'"),
  });
  expect({ what, poweredBy: h('x-powered-by') }).toEqual({ what, poweredBy: null });
};

describe('API8 security misconfiguration', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it('sends the security headers and no-store on every kind of response', async () => {
    const me = await signUp(api);
    const replies: [string, Reply][] = [
      ['login (tokens)', await api.post('/auth/login', { email: me.email, password: me.password })],
      ['refresh (tokens)', await api.post('/auth/refresh', { refresh_token: me.refresh })],
      ['register (profile)', await api.post('/auth/register', { ...me, email: `x${Date.now()}@example.id` })],
      ['profile', await api.get('/users/me', me.token)],
      ['addresses', await api.get('/users/me/addresses', me.token)],
      ['cart', await api.get('/cart', me.token)],
      ['orders', await api.get('/orders', me.token)],
      ['401', await api.get('/users/me')],
      ['400', await api.post('/auth/login', { email: 'nope' })],
      ['404', await api.get('/no/such/route')],
      ['products', await api.get('/products?page_size=1')],
      ['healthz', await api.get('/healthz')],
    ];
    for (const [what, res] of replies) {
      expectHardened(what, res.headers);
      expect({ what, cache: res.headers.get('cache-control') }).toEqual({ what, cache: 'no-store' });
    }
    // JSON answers get the REST policy: nothing in them may load or run.
    expect(replies[3]![1].headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('serves /docs from this origin only: no third-party origin in the page or its CSP, its assets load', async () => {
    const res = await fetch(`${server().base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expectHardened('/docs', res.headers);
    // Nothing from another origin: every src and href is a path on this one, and no inline script.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) expect(ref).toMatch(/^\/docs\/assets\//);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'/);
    expect(csp.match(/script-src[^;]*/)![0]).not.toContain('unsafe-inline');
    for (const [ref, type] of [
      ['/docs/assets/swagger-ui-bundle.js', /^text\/javascript/],
      ['/docs/assets/boot.js', /^text\/javascript/],
      ['/docs/assets/swagger-ui.css', /^text\/css/],
    ] as const) {
      const asset = await fetch(`${server().base}${ref}`);
      expect([ref, asset.status, asset.headers.get('content-type')]).toEqual([ref, 200, expect.stringMatching(type)]);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect(await (await fetch(`${server().base}/docs/assets/boot.js`)).text()).toContain("'/openapi.json'");
    const spec = await fetch(`${server().base}/openapi.json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it.each(['/metrics', '/%6Detrics', '/%6d%65trics', '/METRICS', '/Metrics', '/metrics/', '/metrics?x=1', '//metrics'])(
    'answers %s on the public port with a 404: metrics are on the probe port only',
    async (path) => {
      const res = await fetch(`${server().base}${path}`);
      const text = await res.text();
      expect([path, res.status]).toEqual([path, 404]);
      expect(text).not.toContain('# TYPE');
    },
  );

  it("serves the API's metrics on its probe port (API_METRICS_PORT), a port of its own", async () => {
    expect(server().config.api.metricsPort).not.toBe(server().config.api.port);
    const res = await fetch(`${server().metricsBase}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE pasar_http_requests_total');
    expect((await fetch(`${server().metricsBase}/readyz`)).status).toBe(200);
  });

  it('answers malformed input with a JSON error, never a stack trace or an internal message', async () => {
    const cases = [
      await api.raw('POST', '/auth/login', { raw: '{"email": "a@b.id", "password": ' }),
      await api.raw('POST', '/auth/login', { raw: '[1,2,3]' }),
      await api.raw('GET', '/orders/not-a-uuid', { token: (await signUp(api)).token }),
    ];
    for (const res of cases) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.code).toEqual(expect.any(String));
      expect(JSON.stringify(res.body)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|Prisma|SyntaxError/);
    }
  });

  it('refuses text that would not show what it holds (a direction override, an isolate, a zero-width space) with a 400 naming the field, storing nothing', async () => {
    // The finding: U+202E was stored in names, address lines, product text and tracking
    // text. Every text field of every route is probed by tests/integration/input-policy.test.ts.
    const refusedNaming = (res: Reply, field: string, character: string) => {
      expect({ field, status: res.status, code: res.body?.error?.code }).toEqual({
        field,
        status: 400,
        code: 'validation_failed',
      });
      expect(res.body.error.details).toContainEqual(
        expect.objectContaining({ field, in: 'body', message: expect.stringContaining(character) }),
      );
    };
    const { db } = server().deps;
    const email = `${unique('rlo')}@example.id`;
    const register = await api.post('/auth/register', {
      email,
      password: 'kopi-susu-gula-aren',
      first_name: 'Sari\u202Egnp.exe',
      last_name: 'Wulandari',
      phone: '+6281234567890',
    });
    refusedNaming(register, 'first_name', 'U+202E');
    expect(await db.credential.count({ where: { email } })).toBe(0);

    const me = await signUp(api);
    const address = await api.post(
      '/users/me/addresses',
      { ...bandung, street: 'Jl. \u2066Asia Afrika\u2069 8' },
      me.token,
    );
    refusedNaming(address, 'street', 'U+2066');
    const renamed = await api.patch('/users/me', { last_name: 'Wulan\u200Bdari' }, me.token);
    refusedNaming(renamed, 'last_name', 'U+200B');
    expect(await db.address.count({ where: { user_id: me.id } })).toBe(0);
    expect((await db.user.findUniqueOrThrow({ where: { id: me.id } })).last_name).not.toContain('\u200B');

    const admin = await adminToken(server());
    const sku = unique('RLO').slice(0, 50);
    const product = { sku, price: '50000.00', quantity: 1, weight_grams: 300 };
    refusedNaming(await api.post('/products', { ...product, name: 'Kaos \u202Etxt.exe' }, admin), 'name', 'U+202E');
    expect(await db.product.count({ where: { sku } })).toBe(0);
    // Joiners that join something stay: an emoji ZWJ sequence is a product name like any other.
    const emoji = 'Kaos \u{1F469}\u200D\u{1F4BB} dan \u{1F3F3}\uFE0F\u200D\u{1F308}';
    const kept = await api.post('/products', { ...product, name: emoji }, admin);
    expect(kept.status).toBe(201);
    expect((await api.get(`/products/${kept.body.id}`)).body.name).toBe(emoji);

    // Tracking text from a carrier: the signed webhook meets the same rule.
    const raw = JSON.stringify({
      event_id: unique('evt'),
      seq: 0,
      awb: unique('JNE'),
      reference: unique('not-ours'),
      carrier: 'jne',
      status: 'arrived_facility',
      position: 4,
      occurred_at: new Date().toISOString(),
      description: 'Paket tiba di \u202Egnudag',
    });
    const webhook = await fetch(`${server().base}/shipments/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signCarrierWebhook(server().config.carrier.webhookSecret, raw),
      },
      body: raw,
    });
    refusedNaming(
      { status: webhook.status, body: await webhook.json(), headers: webhook.headers },
      'description',
      'U+202E',
    );
  });

  it('opens no CORS: a cross-origin request or preflight gets no Access-Control-Allow-Origin', async () => {
    const origin = { origin: 'https://evil.example' };
    const simple = await fetch(`${server().base}/products?page_size=1`, { headers: origin });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server().base}/users/me`, {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
