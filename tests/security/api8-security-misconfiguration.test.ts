/**
 * OWASP API8:2023 Security Misconfiguration: security headers on every response (hono's
 * secure-headers), no-store on anything carrying tokens or personal data, /docs not frameable but
 * still loadable, errors without stack traces, and no CORS opened by accident.
 */
import { client, signUp, type Client, type Reply } from '../support/http';
import { useServer } from '../support/server';

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

  it('serves /docs unframeable, while Swagger UI can still load its assets and boot script', async () => {
    const res = await fetch(`${server().base}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expectHardened('/docs', res.headers);
    const csp = res.headers.get('content-security-policy')!;
    // What the page pulls: the bundle and stylesheet from the CDN, an inline script that boots it,
    // and /openapi.json. A CSP restricting scripts, styles or connections would break it.
    expect(html).toMatch(/<script src="https:\/\/cdn\.jsdelivr\.net\/[^"]+swagger-ui-bundle\.js"/);
    expect(html).toMatch(/<link rel="stylesheet" href="https:\/\/cdn\.jsdelivr\.net\/[^"]+swagger-ui\.css"/);
    expect(html).toContain("url: '/openapi.json'");
    expect(csp).not.toMatch(/default-src|script-src|style-src|connect-src/);
    const spec = await fetch(`${server().base}/openapi.json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.1.0');
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
