/**
 * Sending the probes of scripts/lib/probes.ts and counting what came back: the HTTP transport
 * (each call from a loopback address of its own), the objects the probes aim at (a throwaway
 * product and two shoppers with an address, a cart and a pending order each), the sessions the
 * probes go as (renewed when a probe ends one), the runner, and the report.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Caller, Fixtures, Probe, ProbeRequest } from './probes';
import { DEMO_ADDRESS } from '../../services/users/demo-address';

export interface Answer {
  status: number;
  text: string;
}

/**
 * One HTTP call from a loopback source address of its own (any 127.x.y.z reaches 127.0.0.1 on
 * Linux), so per-address limits see many clients, not one prober. A base that is not on the
 * loopback is called from the default address.
 */
export function httpTransport(base: string, timeoutMs = 30_000) {
  const loopback = /^https?:\/\/(127\.|localhost)/.test(base);
  return (req: ProbeRequest, token?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      const call = request(
        `${base}${req.path}`,
        {
          method: req.method,
          headers,
          agent: false,
          timeout: timeoutMs,
          localAddress: loopback ? `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}` : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        },
      );
      call.on('timeout', () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      call.on('error', reject);
      call.end(req.body);
    });
}

export type Transport = ReturnType<typeof httpTransport>;

/** A JSON call through the transport, for setting up; throws on an unexpected status. */
async function json(
  send: Transport,
  method: string,
  path: string,
  body: unknown,
  token?: string,
  expect = [200, 201, 202],
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (method === 'POST' && path === '/checkout') headers['idempotency-key'] = randomUUID();
  const res = await send(
    { method, path, headers, body: body === undefined ? undefined : JSON.stringify(body), as: 'none' },
    token,
  );
  if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.text ? JSON.parse(res.text) : undefined;
}

export interface Shopper {
  id: string;
  email: string;
  password: string;
  token: string;
}

const PASSWORD = 'kopi-susu-gula-aren';

async function newShopper(send: Transport): Promise<Shopper> {
  const email = `probe-${Date.now().toString(36)}-${randomInt(1e9)}@example.id`;
  const reg = await json(send, 'POST', '/auth/register', {
    email,
    password: PASSWORD,
    first_name: 'Probe',
    last_name: 'Shopper',
    phone: '+6281234567890',
  });
  const login = await json(send, 'POST', '/auth/login', { email, password: PASSWORD });
  return { id: reg.id, email, password: PASSWORD, token: login.access_token };
}

/**
 * The objects the probes aim at: a throwaway product (stock for the probes' carts and
 * checkouts), the prober with an address, a cart line and a pending order, and another shopper
 * with the same, whose ids the prober must never reach. A checkout needs a worker serving the
 * saga; without one the order is left out and its probes use random ids.
 */
export async function prepareFixtures(send: Transport, adminToken: string) {
  const product = await json(
    send,
    'POST',
    '/products',
    {
      sku: `PROBE-${randomUUID().slice(0, 8)}`,
      name: 'Probe throwaway item',
      price: '50000.00',
      quantity: 100_000,
      weight_grams: 300,
    },
    adminToken,
  );
  const shoppers: Shopper[] = [];
  const fixtures: Fixtures = { own: { product: product.id }, other: { product: product.id } };
  const notes: string[] = [];
  for (const side of ['own', 'other'] as const) {
    const s = await newShopper(send);
    shoppers.push(s);
    const ids = fixtures[side];
    ids.user = s.id;
    ids.address = (await json(send, 'POST', '/users/me/addresses', DEMO_ADDRESS, s.token)).id;
    await json(send, 'POST', '/cart/items', { product_id: product.id, quantity: 1 }, s.token);
    if (side === 'own') ids.cartItem = product.id; // a cart line is named by its product
    try {
      const order = await json(
        send,
        'POST',
        '/checkout',
        { address_id: ids.address, shipping_service: 'regular' },
        s.token,
      );
      ids.order = order.order_id;
    } catch (err) {
      notes.push(`no ${side} order: ${(err as Error).message}`);
    }
  }
  return { fixtures, shopper: shoppers[0]!, other: shoppers[1]!, notes };
}

/** Tokens per caller, checked between routes: a probe may end a session (a logout). */
export interface Sessions {
  token(as: Caller): string | undefined;
  check(as: Caller): Promise<void>;
  renewed: number;
}

const GARBAGE_TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJwcm9iZSJ9.';

export function sessionsOf(
  send: Transport,
  opts: { shopper: Shopper; admin: string; renewAdmin?: () => Promise<string>; service?: () => string },
): Sessions {
  let shopper = opts.shopper;
  let admin = opts.admin;
  const alive = async (token: string) =>
    (await send({ method: 'GET', path: '/users/me', headers: {}, as: 'none' }, token)).status === 200;
  const sessions: Sessions = {
    renewed: 0,
    token: (as) =>
      as === 'service'
        ? opts.service?.()
        : { none: undefined, garbage: GARBAGE_TOKEN, shopper: shopper.token, admin }[as],
    async check(as) {
      if (as === 'shopper' && !(await alive(shopper.token))) {
        sessions.renewed++;
        try {
          const login = await json(send, 'POST', '/auth/login', { email: shopper.email, password: shopper.password });
          shopper = { ...shopper, token: login.access_token };
        } catch {
          shopper = await newShopper(send); // the account itself is gone or shut: carry on as another
        }
      }
      if (as === 'admin' && opts.renewAdmin && !(await alive(admin))) {
        sessions.renewed++;
        admin = await opts.renewAdmin();
      }
    },
  };
  return sessions;
}

export interface Finding {
  probe: Probe;
  status: number;
  text: string;
}

export interface Tally {
  probes: number;
  byStatus: Record<number, number>;
  /** Per route: answers by class ('2xx', '3xx', '4xx', '429', '5xx', 'no answer'). */
  byRoute: Record<string, Record<string, number>>;
  /** Every 5xx, and every probe the shop did not answer at all. */
  findings: Finding[];
  /** Sample-valid requests the shop refused: their fields' probes may stop at another field's check. */
  validRefused: Finding[];
}

const classOf = (status: number) =>
  status === 429 ? '429' : status === 0 ? 'no answer' : `${Math.floor(status / 100)}xx`;

/**
 * Sends the probes route by route (`concurrency` at a time within a route) and checks after each
 * route that the sessions still work.
 */
export async function runProbes(
  probes: Probe[],
  opts: {
    send: Transport;
    sessions: Sessions;
    concurrency?: number;
    onRoute?: (route: string, counts: Record<string, number>) => void;
  },
): Promise<Tally> {
  const tally: Tally = { probes: 0, byStatus: {}, byRoute: {}, findings: [], validRefused: [] };
  const routes = new Map<string, Probe[]>();
  // Deletions last: a DELETE /cart early on would leave the checkout's probes an empty cart.
  const ordered = [
    ...probes.filter((p) => p.request.method !== 'DELETE'),
    ...probes.filter((p) => p.request.method === 'DELETE'),
  ];
  for (const p of ordered) routes.set(p.route, [...(routes.get(p.route) ?? []), p]);
  for (const [route, list] of routes) {
    const counts: Record<string, number> = {};
    tally.byRoute[route] = counts;
    let next = 0;
    const lane = async () => {
      while (next < list.length) {
        const probe = list[next++]!;
        let answer: Answer;
        try {
          answer = await opts.send(probe.request, opts.sessions.token(probe.request.as));
        } catch (err) {
          answer = { status: 0, text: (err as Error).message };
        }
        tally.probes++;
        tally.byStatus[answer.status] = (tally.byStatus[answer.status] ?? 0) + 1;
        const cls = classOf(answer.status);
        counts[cls] = (counts[cls] ?? 0) + 1;
        if (answer.status >= 500 || answer.status === 0) tally.findings.push({ probe, ...answer });
        else if (probe.what === 'valid' && answer.status >= 400) tally.validRefused.push({ probe, ...answer });
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, lane));
    for (const as of ['shopper', 'admin'] as Caller[]) await opts.sessions.check(as);
    opts.onRoute?.(route, counts);
  }
  return tally;
}

const cut = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** A finding as a request anyone can send again (tokens named by caller, long values cut). */
export function reproduction(f: Finding): string {
  const { method, path, headers, body, as } = f.probe.request;
  return [
    `${f.probe.route}: ${f.probe.what} -> ${f.status || 'no answer'}`,
    `  ${method} ${cut(path)}   (as ${as})`,
    ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`),
    ...(body !== undefined ? [`  body: ${cut(JSON.stringify(body))}`] : []),
    `  answer: ${cut(f.text)}`,
  ].join('\n');
}

/** Totals: probes, by status class and by status code. */
export function summary(tally: Tally): string {
  const by = (pred: (s: number) => boolean) =>
    Object.entries(tally.byStatus)
      .filter(([s]) => pred(Number(s)))
      .reduce((n, [, c]) => n + c, 0);
  const codes = (lo: number, hi: number) =>
    Object.entries(tally.byStatus)
      .filter(([s]) => Number(s) >= lo && Number(s) < hi)
      .map(([s, c]) => `${s}: ${c}`)
      .join(', ');
  return [
    `probes: ${tally.probes} over ${Object.keys(tally.byRoute).length} operations`,
    `2xx: ${by((s) => s >= 200 && s < 300)} (${codes(200, 300)})`,
    `3xx: ${by((s) => s >= 300 && s < 400)}`,
    `4xx: ${by((s) => s >= 400 && s < 500)} (${codes(400, 500)}), of which 429: ${tally.byStatus[429] ?? 0}`,
    `5xx: ${by((s) => s >= 500)}${by((s) => s >= 500) ? ` (${codes(500, 600)})` : ''}`,
    `no answer: ${tally.byStatus[0] ?? 0}`,
  ].join('\n');
}
