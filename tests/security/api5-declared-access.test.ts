/**
 * OWASP API5:2023 Broken Function Level Authorization, read from the OpenAPI document: each
 * operation's `security` must be what its guard does. One that declares it answers 401 without a
 * token (before its body is validated), 403 to a shopper when it names the admin role or the
 * service scheme, and lets a shopper (or, on the service scheme, a service) through otherwise. One
 * that declares none is on the public list below and answers without a token. A guard attached
 * apart from its route (a path-string `app.use`) or a `security` written by hand that says
 * something else fails here.
 */
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { client, serviceToken, signUp } from '../support/http';
import { useServer } from '../support/server';

/** Public on purpose: signing in, browsing the catalog, search, rates, health. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/password/reset',
  'POST /auth/password/reset/confirm',
  'GET /products',
  'GET /products/inventory',
  'GET /products/{id}',
  'GET /products/{id}/inventory',
  'GET /recommendations/popular',
  'GET /recommendations/similar/{productId}',
  'GET /search',
  'GET /search/suggestions',
  'POST /shipping/rates',
  'POST /payments/webhook',
  'POST /shipments/webhook',
]);
/** Public to guards, authenticated by their HMAC signature instead: unsigned is a 401 of their own. */
const SIGNED = new Set(['POST /payments/webhook', 'POST /shipments/webhook']);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ZERO_ID = '00000000-0000-4000-8000-000000000000';

type Requirement = Record<string, string[]>;
interface Operation {
  route: string;
  method: string;
  path: string;
  security?: Requirement[];
}

describe('API5 every route does what its OpenAPI security says', () => {
  const server = useServer();
  let app: ReturnType<typeof createApp>;
  let operations: Operation[];
  beforeAll(async () => {
    app = createApp(server().deps, server().services, createLogger('silent'));
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Partial<Record<(typeof METHODS)[number], { security?: Requirement[] }>>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      METHODS.flatMap((m) => {
        const op = ops[m];
        if (!op) return [];
        const concrete = path.replace(/\{\w+\}/g, ZERO_ID);
        return [
          { route: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path: concrete, security: op.security },
        ];
      }),
    );
  });
  afterAll(async () => {
    await app?.flush();
  });

  /** One call in-process, with an empty JSON body where a body may go (so a guard must answer before validation). */
  async function call(op: Operation, token?: string) {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const withBody = op.method !== 'GET' && op.method !== 'DELETE';
    if (withBody) headers['content-type'] = 'application/json';
    const res = await app.request(op.path, { method: op.method, headers, body: withBody ? '{}' : undefined });
    const text = await res.text();
    let body: { error?: { code?: string; message?: string } } = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: only a status to look at
    }
    return { status: res.status, code: body.error?.code, message: body.error?.message };
  }
  type Reply = Awaited<ReturnType<typeof call>>;

  const secured = () => operations.filter((op) => op.security?.length);
  /** Who the document says may call an operation (undefined: anyone). */
  const needs = (op: Operation) =>
    !op.security?.length
      ? undefined
      : op.security.some((r) => 'serviceAuth' in r)
        ? 'service'
        : op.security.some((r) => r.bearerAuth?.includes('admin'))
          ? 'admin'
          : 'user';

  /** Each call whose answer `ok` does not accept, as `ROUTE (who may call) -> status message`. */
  async function mismatches(
    ops: Operation[],
    token: () => Promise<string | undefined>,
    ok: (op: Operation, res: Reply) => boolean,
  ) {
    const wrong: string[] = [];
    for (const op of ops) {
      const res = await call(op, await token());
      if (!ok(op, res))
        wrong.push(`${op.route} (${needs(op) ?? 'public'}) -> ${res.status} ${res.message ?? ''}`.trim());
    }
    return wrong;
  }
  const refused = (res: Reply) => res.status === 401 || res.status === 403;

  it('declares security on every route but the public ones, and the public list names only real routes', () => {
    const open = operations.filter((op) => !op.security?.length).map((op) => op.route);
    expect(open.sort()).toEqual([...PUBLIC].sort());
    expect(secured().length).toBeGreaterThan(40);
  });

  it('refuses every route that declares security to a caller without a token: 401, before its input is read', async () => {
    const wrong = await mismatches(
      secured(),
      async () => undefined,
      (_, res) => res.status === 401 && res.code === 'unauthorized',
    );
    expect(wrong).toEqual([]);
  });

  it('holds admin and service routes from a shopper (403) and lets a shopper through the rest', async () => {
    const { id } = await signUp(client(server().base));
    // A session of its own per route: POST /auth/logout ends the one it is called with.
    const shopper = async () => (await server().services.tokens.issue(id)).access_token;
    const wrong = await mismatches(secured(), shopper, (op, res) =>
      needs(op) === 'user' ? !refused(res) : res.status === 403 && res.code === 'forbidden',
    );
    expect(wrong).toEqual([]);
  });

  it('lets a service token through the service routes only', async () => {
    const service = async () => serviceToken();
    const wrong = await mismatches(secured(), service, (op, res) => refused(res) === (needs(op) !== 'service'));
    expect(wrong).toEqual([]);
  });

  it('answers every public route without a token; the webhooks refuse only for want of a signature', async () => {
    const open = operations.filter((o) => PUBLIC.has(o.route));
    const wrong = await mismatches(
      open,
      async () => undefined,
      (op, res) =>
        SIGNED.has(op.route) ? res.status === 401 && /^webhook rejected/.test(res.message ?? '') : !refused(res),
    );
    expect(wrong).toEqual([]);
  });
});
