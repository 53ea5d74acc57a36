/**
 * OWASP API9:2023 Improper Inventory Management: the OpenAPI document lists every route the API
 * serves (checked against the router itself), each documented route answers, nothing
 * undocumented answers, and the docs are served.
 */
import { createApp } from '../../api/app';
import { signWebhook, SIGNATURE_HEADER } from '../../contracts/webhook-signature/gateway';
import { createLogger } from '../../platform/logger';
import { client, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
// Served on purpose outside the document: the document itself and its viewer (with its assets), the operator
// dashboard's page and assets (a web page for people, not API). /metrics is not on this port at
// all: the API serves it on its probe port (API_METRICS_PORT), see api8.
const META = new Set([
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/assets/boot.js',
  'GET /docs/assets/swagger-ui-bundle.js',
  'GET /docs/assets/swagger-ui.css',
  'GET /docs/assets/favicon-32x32.png',
  'GET /dashboard',
  'GET /dashboard/page.js',
  'GET /dashboard/page.css',
  'GET /dashboard/vendor/chart.umd.min.js',
]);

describe('API9 improper inventory management', () => {
  const server = useServer();
  let api: Client;
  let documented: Set<string>;
  beforeAll(async () => {
    api = client(server().base);
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        METHODS.filter((m) => ops[m]).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
  });

  it('documents every route the router serves, and documents nothing it does not serve', () => {
    const app = createApp(server().deps, server().services, createLogger('silent'));
    const served = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toUpperCase()} ${r.path}`),
    );
    const undocumented = [...served].filter((r) => !documented.has(r) && !META.has(r));
    const phantom = [...documented].filter((r) => !served.has(r));
    expect({ undocumented, phantom }).toEqual({ undocumented: [], phantom: [] });
    expect(documented.size).toBeGreaterThan(30);
  });

  it('every documented route answers (never the not-found of an unknown route)', async () => {
    for (const route of documented) {
      const [method, path] = route.split(' ') as [string, string];
      const concrete = path.replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
      const res = await api.raw(method, concrete, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expect({ route, status: res.status, noRoute: /no route/.test(res.body?.error?.message ?? '') }).toEqual({
        route,
        status: expect.any(Number),
        noRoute: false,
      });
      expect({ route, status: res.status < 500 || res.status === 503 }).toEqual({ route, status: true });
    }
  });

  it.each([
    '/admin',
    '/api/v1/products',
    '/v2/users/me',
    '/users',
    '/internal/inventory',
    '/debug',
    '/graphql',
    '/.env',
    '/swagger.json',
  ])('has no undocumented route at %s, even for a signed-in user', async (path) => {
    const res = await api.get(path, (await signUp(api)).token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('serves /metrics as Prometheus text that names routes by pattern and carries no ids or tokens', async () => {
    const me = await signUp(api);
    await api.get(`/orders/${crypto.randomUUID()}`, me.token);
    const res = await fetch(`${server().metricsBase}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/route="\/orders\/:id"/);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).not.toContain(me.token);
    expect(text).not.toContain(me.email);
  });

  it('serves the document and its viewer', async () => {
    expect((await api.get('/openapi.json')).body.info.title).toBe('Pasar API');
    const docs = await fetch(`${server().base}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('API9 improper inventory management: the retired payment webhook scheme ends on its date', () => {
  const server = useServer({
    configure: (c) => ({ ...c, payments: { ...c.payments, legacyWebhookUntil: new Date(Date.now() - 1000) } }),
  });

  it('answers the old HMAC-header scheme 410 gone once its window has passed, however well signed', async () => {
    const raw = JSON.stringify({ id: 'evt_retired', type: 'payment_intent.succeeded', data: {} });
    const res = await fetch(`${server().base}/payments/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(server().config.payments.webhookSecret, raw),
      },
      body: raw,
    });
    expect(res.status).toBe(410);
    expect(((await res.json()) as any).error.code).toBe('gone');
  });
});
