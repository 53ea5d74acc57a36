/**
 * One input policy, proven from the API's own OpenAPI document: every string field of every
 * operation's path, query and JSON body gets a NUL byte, a right-to-left override, an isolate and
 * a zero-width space, and must answer 400 naming that field (never a 5xx), storing nothing;
 * every field also gets values of the wrong type or absurd size and must never answer 5xx. Direct cases cover the reported 500s, the signed webhook and the tab/newline rule.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook, SIGNATURE_HEADER } from '../../contracts/webhook-signature/gateway';
import { unique } from '../support/deps';
import { adminToken, client, serviceToken, signUp, type Client, type Reply } from '../support/http';
import { useServer } from '../support/server';
import { bandung } from '../support/shop';

type Schema = Record<string, any>;
type Location = 'path' | 'query' | 'body';
interface Operation {
  method: string;
  path: string;
  tags: string[];
  parameters: { name: string; in: string; required?: boolean; schema: Schema }[];
  body?: Schema;
}
/** One request that puts `value` in one field, everything else sample-valid. */
interface Probe {
  op: Operation;
  location: Location;
  field: string;
  schema: Schema;
  send: (value: unknown) => Promise<Reply>;
}

const NUL = '\u0000';
/** Direction overrides and isolates, and an invisible space: each must be refused like a NUL. */
const INVISIBLE = { 'U+202E': '\u202E', 'U+2066': '\u2066', 'U+200B': '\u200B' };

describe('input policy: control and invisible format characters are refused with a 400 naming the field, never a 5xx', () => {
  const server = useServer();
  let api: Client;
  let doc: Schema;
  const tokens: Record<'shopper' | 'admin' | 'service', string> = { shopper: '', admin: '', service: '' };

  beforeAll(async () => {
    api = client(server().base);
    tokens.shopper = (await signUp(api)).token;
    tokens.admin = await adminToken(server());
    tokens.service = await serviceToken();
    doc = (await api.get('/openapi.json')).body;
  });

  const resolve = (s: Schema | undefined): Schema => {
    if (!s) return {};
    if (s.$ref) return resolve(doc.components.schemas[String(s.$ref).split('/').pop()!]);
    // 3.1 nullable and optional-with-default come out as anyOf/oneOf: the non-null branch is the field.
    const branch = (s.anyOf ?? s.oneOf ?? s.allOf)?.find((b: Schema) => resolve(b).type !== 'null');
    return branch ? { ...resolve(branch), ...s, anyOf: undefined, oneOf: undefined, allOf: undefined } : s;
  };
  const typeOf = (s: Schema) => (Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type);

  /** A value the schema accepts, as far as is easy; unusual patterns get a known-good example. */
  const KNOWN: Record<string, unknown> = {
    email: () => `${unique('probe')}@example.id`,
    phone: '+6281234567890',
    postal_code: '10270',
    code: '123456',
    card_number: '4242424242424242',
    password: 'kopi-susu-gula-aren',
    new_password: 'kopi-susu-gula-aren',
    refresh_token: 'not-a-real-refresh-token',
    price: '125000.00',
    'idempotency-key': () => randomUUID(),
  };
  function sample(raw: Schema | undefined, name = ''): unknown {
    const s = resolve(raw);
    const known = KNOWN[name];
    if (known !== undefined) return typeof known === 'function' ? known() : known;
    if (s.enum) return s.enum[0];
    if (s.const !== undefined) return s.const;
    if (s.example !== undefined) return s.example;
    switch (typeOf(s)) {
      case 'string':
        if (s.format === 'uuid') return randomUUID();
        return 'Kopi Toraja'.padEnd(s.minLength ?? 1, 'x').slice(0, s.maxLength ?? 100);
      case 'integer':
      case 'number':
        return Math.max(s.minimum ?? 1, (s.exclusiveMinimum ?? 0) + 1);
      case 'boolean':
        return false;
      case 'array':
        return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items));
      case 'object':
        return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v as Schema, k)]));
      default:
        return 'x';
    }
  }

  /** Every leaf of a body schema as [dotted path, schema]; array items are probed at index 0. */
  function leaves(raw: Schema, prefix: string[] = []): [string[], Schema][] {
    const s = resolve(raw);
    if (typeOf(s) === 'object')
      return Object.entries(s.properties ?? {}).flatMap(([k, v]) => leaves(v as Schema, [...prefix, k]));
    if (typeOf(s) === 'array') return leaves(s.items, [...prefix, '0']);
    return [[prefix, s]];
  }

  const setAt = (target: any, path: string[], value: unknown) => {
    const last = path.length - 1;
    path.slice(0, last).reduce((node, key) => node[key], target)[path[last]!] = value;
    return target;
  };

  function operations(): Operation[] {
    return Object.entries(doc.paths as Record<string, Record<string, Schema>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, o]) => ({
        method: method.toUpperCase(),
        path,
        tags: o.tags ?? [],
        parameters: o.parameters ?? [],
        body: o.requestBody?.content?.['application/json']?.schema,
      })),
    );
  }

  /** Shoppers for most routes, the admin for admin routes, a service token for service routes. */
  const tokenFor = (op: Operation) =>
    op.tags.some((t) => t.includes('service-to-service'))
      ? tokens.service
      : op.tags.some((t) => t.includes('admin'))
        ? tokens.admin
        : tokens.shopper;

  function request(op: Operation, overrides: { location: Location; field: string[]; value: unknown }) {
    const param = (p: Operation['parameters'][number]) =>
      overrides.location === p.in && overrides.field[0] === p.name ? overrides.value : sample(p.schema, p.name);
    const path = op.path.replace(/\{(\w+)\}/g, (_, name) => {
      const p = op.parameters.find((x) => x.in === 'path' && x.name === name)!;
      return encodeURIComponent(String(param(p)));
    });
    const query = new URLSearchParams();
    const headers: Record<string, string> = {};
    for (const p of op.parameters) {
      const chosen = overrides.location === p.in && overrides.field[0] === p.name;
      if (p.in === 'query' && (p.required || chosen)) query.set(p.name, String(param(p)));
      if (p.in === 'header' && p.required) headers[p.name] = String(param(p));
    }
    let body: unknown;
    if (op.body) {
      body = sample(op.body);
      if (overrides.location === 'body') setAt(body, overrides.field, overrides.value);
    }
    const qs = query.toString();
    return api.raw(op.method, `${path}${qs ? `?${qs}` : ''}`, { body, headers, token: tokenFor(op) });
  }

  function probes(): Probe[] {
    return operations().flatMap((op) => {
      const params = op.parameters
        .filter((p) => p.in === 'path' || p.in === 'query')
        .map((p) => ({ location: p.in as Location, path: [p.name], schema: resolve(p.schema) }));
      const body = op.body
        ? leaves(op.body).map(([path, schema]) => ({ location: 'body' as Location, path, schema }))
        : [];
      return [...params, ...body].map(({ location, path, schema }) => ({
        op,
        location,
        field: path.join('.'),
        schema,
        send: (value: unknown) => request(op, { location, field: path, value }),
      }));
    });
  }

  const describeProbe = (p: Probe, value: unknown, res: Reply) =>
    `${p.op.method} ${p.op.path} ${p.location}.${p.field}=${JSON.stringify(value)?.slice(0, 40)} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`;

  it('every string field of every operation in the OpenAPI document: a NUL is a 400 naming that field', async () => {
    const stringProbes = probes().filter((p) => typeOf(p.schema) === 'string');
    const failures: string[] = [];
    for (const p of stringProbes) {
      const base = sample(p.schema, p.field.split('.').pop());
      const value = `${typeof base === 'string' ? base : 'x'}${NUL}`;
      const res = await p.send(value);
      const named = res.body?.error?.details?.some?.((d: { field: string }) => d.field === p.field);
      if (res.status !== 400 || res.body?.error?.code !== 'validation_failed' || !named)
        failures.push(describeProbe(p, value, res));
    }
    console.log(`input policy: probed ${stringProbes.length} (operation, string field) pairs with a NUL byte`);
    expect(failures).toEqual([]);
    // A document that lost its schemas would probe nothing and pass: it has well over 60 today.
    expect(stringProbes.length).toBeGreaterThan(60);
  });

  it('every string field of every operation: U+202E, U+2066 and U+200B are each a 400 naming that field, and nothing is stored', async () => {
    const stringProbes = probes().filter((p) => typeOf(p.schema) === 'string');
    // Free text gets a marker that is valid on its own, so a route that let the character through
    // would store the marker, and the scan of every text column below would find it.
    const marker = `bidiprobe${randomUUID().replaceAll('-', '')}`;
    const freeText = (s: Schema) => !s.format && !s.pattern && !s.enum && (s.maxLength ?? 1000) >= marker.length + 2;
    const failures: string[] = [];
    let sent = 0;
    for (const p of stringProbes) {
      const base = sample(p.schema, p.field.split('.').pop());
      for (const [name, ch] of Object.entries(INVISIBLE)) {
        const value = freeText(p.schema) ? `${marker} ${ch}` : `${typeof base === 'string' ? base : 'x'}${ch}`;
        const res = await p.send(value);
        sent++;
        const named = res.body?.error?.details?.some?.(
          (d: { field: string; message: string }) => d.field === p.field && d.message.includes(name),
        );
        if (res.status !== 400 || res.body?.error?.code !== 'validation_failed' || !named)
          failures.push(describeProbe(p, value, res));
      }
    }
    console.log(
      `input policy: sent ${sent} values with ${Object.keys(INVISIBLE).join(', ')} to ${stringProbes.length} (operation, string field) pairs`,
    );
    expect(failures).toEqual([]);
    expect(stringProbes.length).toBeGreaterThan(60);
    expect(await columnsHolding(marker)).toEqual([]);
  });

  /** Every text, varchar and json column of the shop's own schemas that holds `needle` somewhere. */
  async function columnsHolding(needle: string): Promise<string[]> {
    const db = server().deps.db;
    const columns = await db.$queryRawUnsafe<{ table_schema: string; table_name: string; column_name: string }[]>(
      `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    const found: string[] = [];
    for (const { table_schema, table_name, column_name } of columns) {
      const q = (id: string) => `"${id.replaceAll('"', '""')}"`;
      const rows = await db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${q(table_schema)}.${q(table_name)} WHERE ${q(column_name)}::text LIKE $1`,
        `%${needle}%`,
      );
      if (rows[0]!.n > 0) found.push(`${table_schema}.${table_name}.${column_name}: ${rows[0]!.n} rows`);
    }
    return found;
  }

  it('no field of any operation answers 5xx to a value of the wrong type or an absurd size', async () => {
    // Only values the field's own type refuses: a valid value could register accounts and spend
    // the per-address sign-up budget other test files need.
    const huge = 'x'.repeat(20_000);
    const text = ['abc', '1e308', '-1e308', '1.5', String(2 ** 63), '9'.repeat(400), huge];
    const wrongFor = (p: Probe): unknown[] => {
      if (p.location !== 'body') return text;
      const notText = [1e308, 2 ** 63, {}, [], null, true];
      return typeOf(p.schema) === 'string' ? [...notText, huge] : [...notText, -1e308, 1.5, ...text];
    };
    const all = probes();
    const failures: string[] = [];
    let sent = 0;
    for (const p of all) {
      for (const value of wrongFor(p)) {
        const res = await p.send(value);
        sent++;
        if (res.status >= 500) failures.push(describeProbe(p, value, res));
      }
    }
    console.log(`input policy: sent ${sent} wrong-type or oversized values to ${all.length} (operation, field) pairs`);
    expect(failures).toEqual([]);
    expect(all.length).toBeGreaterThan(80);
  });

  describe('the reported cases', () => {
    it('GET /products?category=<NUL>, anonymously: 400 naming the query parameter', async () => {
      const res = await api.get('/products?category=%00');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toContainEqual(expect.objectContaining({ field: 'category', in: 'query' }));
    });

    it('POST /auth/register with a NUL in first_name: 400 naming first_name', async () => {
      const res = await api.post('/auth/register', {
        email: `${unique('nul')}@example.id`,
        password: 'kopi-susu-gula-aren',
        first_name: `Sa${NUL}ri`,
        last_name: 'Wulandari',
        phone: '+6281234567890',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toContainEqual(expect.objectContaining({ field: 'first_name', in: 'body' }));
    });

    it('an address line with a NUL is a 400; a street written on two lines is kept', async () => {
      const me = await signUp(api);
      const bad = await api.post('/users/me/addresses', { ...bandung, street: `Jl. Asia Afrika${NUL}` }, me.token);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toContainEqual(expect.objectContaining({ field: 'street', in: 'body' }));
      // Tab, LF and CR are allowed in body text: free text legitimately spans lines.
      const twoLines = await api.post(
        '/users/me/addresses',
        { ...bandung, street: 'Jl. Asia Afrika No. 8\nRT 01' },
        me.token,
      );
      expect(twoLines.status).toBe(201);
    });

    it('names a field nested in an array, and refuses a line break in a query parameter', async () => {
      const nested = await api.post(
        '/inventory/reserve',
        {
          order_id: randomUUID(),
          items: [
            { product_id: randomUUID(), quantity: 1 },
            { product_id: `a${NUL}`, quantity: 1 },
          ],
        },
        tokens.service,
      );
      expect(nested.status).toBe(400);
      expect(nested.body.error.details).toContainEqual(expect.objectContaining({ field: 'items.1.product_id' }));
      const newline = await api.get('/products?category=kopi%0Ateh');
      expect(newline.status).toBe(400);
      expect(newline.body.error.details).toContainEqual(expect.objectContaining({ field: 'category', in: 'query' }));
    });

    it('a lone UTF-16 surrogate or DEL is a 400; invalid UTF-8 is never a 5xx', async () => {
      const surrogate = await api.raw('POST', '/users/me/addresses', {
        token: tokens.shopper,
        raw: JSON.stringify({ ...bandung, label: 'X' }).replace('"X"', '"\\ud800"'),
      });
      expect(surrogate.status).toBe(400);
      expect(surrogate.body.error.details).toContainEqual(expect.objectContaining({ field: 'label' }));
      const del = await api.get('/products?category=kopi%7F');
      expect(del.status).toBe(400);
      const badUtf8 = await fetch(`${server().base}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
      });
      expect(badUtf8.status).toBeLessThan(500);
      expect((await api.get('/products?category=%FF%C3%28')).status).toBeLessThan(500);
    });

    describe('the signed payment webhook', () => {
      const post = (raw: string, contentType = 'application/json') =>
        fetch(`${server().base}/payments/webhook`, {
          method: 'POST',
          headers: {
            'content-type': contentType,
            [SIGNATURE_HEADER]: signWebhook(server().config.payments.webhookSecret, raw),
          },
          body: raw,
        });
      const event = (id: string) => ({
        id,
        type: 'payment_intent.succeeded',
        data: {
          intent_id: `pi_${unique()}`,
          reference: randomUUID(),
          amount: '1000.00',
          currency: 'IDR',
          status: 'succeeded',
        },
      });

      it('a correctly signed event with a NUL in a field is a 400 naming it', async () => {
        const res = await post(JSON.stringify(event(`evt_${unique()}${NUL}`)));
        expect(res.status).toBe(400);
        const body = (await res.json()) as any;
        expect(body.error.details).toContainEqual(expect.objectContaining({ field: 'id', in: 'body' }));
      });

      it('is checked whatever content type the sender claims: the route parses the raw text itself', async () => {
        const res = await post(JSON.stringify(event(`evt_${unique()}${NUL}`)), 'text/plain');
        expect(res.status).toBe(400);
      });

      it('still verifies the signature over the raw bytes (whitespace and key order kept) after the policy read them', async () => {
        // Pretty-printed: re-serialising the parsed body would change the bytes and break the HMAC.
        const res = await post(JSON.stringify(event(`evt_${unique()}`), null, 2));
        expect(res.status).not.toBe(401);
        expect(res.status).toBeLessThan(500);
      });
    });
  });
});
