/**
 * Hostile probes of every operation the shop's own /openapi.json declares, and a runner that
 * counts what came back. Everything is derived from the document (paths, parameters, body
 * fields, who may call), so a route added tomorrow is probed tomorrow. Shared by `npm run probe`
 * (scripts/probe.ts, thousands of probes against a running shop) and the CI-sized security test
 * (tests/security/api8-probe-pass.test.ts, a few hundred against a test app).
 *
 * Per operation: the valid request as each caller (none, a garbage token, a shopper, the admin, a
 * service), bodies that are not what was declared (malformed or deeply nested JSON, the wrong
 * content type, an array, an unknown field), and per parameter and body field: missing, null,
 * the wrong type, negative, zero, huge (1e308, 2^63), "NaN", 100k characters, NUL, U+202E, SQL
 * and NoSQL injection, path traversal, and another shopper's object id. A 4xx (429 included) is
 * a good answer; a 5xx is a finding.
 */
import { randomInt, randomUUID } from 'node:crypto';

// The document is read loosely: its shapes are JSON Schema, checked by use.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = any;

export type Caller = 'none' | 'garbage' | 'shopper' | 'admin' | 'service';
type Location = 'path' | 'query' | 'header' | 'body';

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  /** e.g. `POST /orders/{id}/cancel` */
  route: string;
  method: string;
  path: string;
  tags: string[];
  /** Who the document says may call it. */
  caller: Exclude<Caller, 'none' | 'garbage'> | 'none';
  parameters: Parameter[];
  body?: Schema;
}

/** The kinds of object a path or body id can name, read from the route's words. */
export type IdKind = 'user' | 'address' | 'product' | 'cartItem' | 'order' | 'shipment' | 'notification' | 'complaint';

/** Ids of real objects: the probing shopper's own, and another shopper's (which must stay out of reach). */
export interface Fixtures {
  own: Partial<Record<IdKind, string>>;
  other: Partial<Record<IdKind, string>>;
}

export interface ProbeRequest {
  method: string;
  /** Path with its query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  as: Caller;
}

export interface Probe {
  route: string;
  /** What this probe tries, e.g. `body.quantity = negative`. */
  what: string;
  request: ProbeRequest;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

// ---------------------------------------------------------------------------------------------
// The document

export function operationsOf(doc: Schema): Operation[] {
  return Object.entries(doc.paths as Record<string, Record<string, Schema>>).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, o]) => ({
        route: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        tags: o.tags ?? [],
        caller: callerOf(o.security),
        parameters: o.parameters ?? [],
        body: o.requestBody?.content?.['application/json']?.schema,
      })),
  );
}

/** The least caller the operation's `security` admits (what api5-declared-access checks it enforces). */
function callerOf(security: Record<string, string[]>[] | undefined): Operation['caller'] {
  if (!security?.length) return 'none';
  if (security.some((r) => 'serviceAuth' in r)) return 'service';
  if (security.some((r) => r.bearerAuth?.includes('admin'))) return 'admin';
  return 'shopper';
}

/** The caller a probe of a field goes as, so that it reaches the handler: a public route gets a shopper too. */
const callerFor = (op: Operation): Caller => (op.caller === 'none' ? 'shopper' : op.caller);

export function resolver(doc: Schema) {
  const resolve = (s: Schema | undefined): Schema => {
    if (!s) return {};
    if (s.$ref) return resolve(doc.components?.schemas?.[String(s.$ref).split('/').pop()!]);
    // 3.1 nullable and optional-with-default come out as anyOf/oneOf: the non-null branch is the field.
    const branch = (s.anyOf ?? s.oneOf ?? s.allOf)?.find((b: Schema) => resolve(b).type !== 'null');
    return branch ? { ...resolve(branch), ...s, anyOf: undefined, oneOf: undefined, allOf: undefined } : s;
  };
  return resolve;
}

export const typeOf = (s: Schema): string | undefined =>
  Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;

/** What kind of object an id names: by its name (order_id, productId) or the path word before it. */
export function idKind(name: string, path = ''): IdKind | undefined {
  const byName: [RegExp, IdKind][] = [
    [/^order_?id$/i, 'order'],
    [/^product_?id$/i, 'product'],
    [/^address_?id$/i, 'address'],
    [/^user_?id$/i, 'user'],
    [/^complaint_?id$/i, 'complaint'],
    [/^shipment_?id$/i, 'shipment'],
  ];
  for (const [re, kind] of byName) if (re.test(name)) return kind;
  if (name !== 'id') return undefined;
  const words = path.split('/');
  const before = words[words.indexOf(`{${name}}`) - 1] ?? '';
  const byWord: Record<string, IdKind> = {
    addresses: 'address',
    products: 'product',
    similar: 'product',
    items: 'cartItem',
    orders: 'order',
    shipments: 'shipment',
    user: 'user',
    users: 'user',
    notifications: 'notification',
    complaints: 'complaint',
  };
  return byWord[before];
}

// ---------------------------------------------------------------------------------------------
// Valid samples

/** Values of fields whose format a schema alone does not say well enough. */
const KNOWN: Record<string, () => unknown> = {
  email: () => `probe-${Date.now().toString(36)}-${randomInt(1e9)}@example.id`,
  phone: () => '+6281234567890',
  postal_code: () => '40161',
  code: () => '123456',
  card_number: () => '4242424242424242',
  password: () => 'kopi-susu-gula-aren',
  new_password: () => 'kopi-susu-gula-aren',
  refresh_token: () => 'not-a-real-refresh-token',
  price: () => '125000.00',
  amount: () => '1000.00',
  sku: () => `PROBE-${randomUUID().slice(0, 8)}`,
  evidence_urls: () => ['https://photos.example.id/probe.jpg'],
  'idempotency-key': () => randomUUID(),
};

export function sampler(doc: Schema, fixtures: Fixtures) {
  const resolve = resolver(doc);
  /** A value the schema accepts, as far as is easy; ids name the probing shopper's own objects. */
  function sample(raw: Schema | undefined, name = '', path = '', admin = false): unknown {
    const s = resolve(raw);
    const kind = idKind(name, path);
    // An operator acts on a throwaway object (the other shopper's), never on the prober's own.
    const id = kind && (admin ? fixtures.other[kind] : fixtures.own[kind]);
    if (id) return id;
    const known = KNOWN[name];
    if (known) return known();
    if (s.enum) return s.enum[0];
    if (s.const !== undefined) return s.const;
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined) return s.default;
    switch (typeOf(s)) {
      case 'string':
        if (s.format === 'uuid') return randomUUID();
        if (s.format === 'email') return KNOWN.email!();
        if (s.format === 'uri' || s.format === 'url') return 'https://photos.example.id/probe.jpg';
        if (s.format === 'date-time') return new Date().toISOString();
        if (s.format === 'date') return new Date().toISOString().slice(0, 10);
        return 'Kopi Toraja probe'.padEnd(s.minLength ?? 1, 'x').slice(0, s.maxLength ?? 100);
      case 'integer':
      case 'number':
        return Math.max(s.minimum ?? 1, (s.exclusiveMinimum ?? 0) + 1);
      case 'boolean':
        return false;
      case 'array':
        return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items, '', path, admin));
      case 'object':
        return Object.fromEntries(
          Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v as Schema, k, path, admin)]),
        );
      default:
        return 'x';
    }
  }
  return sample;
}

/** Every leaf of a body schema as [path, schema]; array items are probed at index 0. */
function leaves(resolve: (s: Schema) => Schema, raw: Schema, prefix: string[] = [], depth = 0): [string[], Schema][] {
  const s = resolve(raw);
  if (depth > 6) return [[prefix, s]];
  if (typeOf(s) === 'object' && s.properties)
    return Object.entries(s.properties).flatMap(([k, v]) => leaves(resolve, v, [...prefix, k], depth + 1));
  if (typeOf(s) === 'array' && s.items) return leaves(resolve, s.items, [...prefix, '0'], depth + 1);
  return [[prefix, s]];
}

const MISSING = Symbol('missing');

/** A path or query value sent as written, not percent-encoded (to send broken encodings). */
class Unencoded {
  constructor(readonly text: string) {}
}

function setAt(target: Schema, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  const last = path[path.length - 1]!;
  if (value === MISSING) delete node[last];
  else node[last] = value;
  return target;
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/**
 * Long text: 100k characters in a body; in a path, query or header 8k, since Node's HTTP parser
 * refuses a request head over 16 KB before any handler (431, or a reset while the client writes).
 */
const LONG = { body: 'A'.repeat(100_000), url: 'A'.repeat(8_000) };

/** [label, value] pairs sent in place of one field's valid value. */
export function hostileValues(schema: Schema, location: Location): [string, unknown][] {
  const t = typeOf(schema);
  const values: [string, unknown][] = [
    ['missing', MISSING],
    ['null', null],
    ['wrong type', t === 'string' ? 12345 : t === 'array' ? 'not-an-array' : 'not-a-number'],
    ['boolean', true],
    ['object', {}],
    ['array', []],
    ['negative', -1],
    ['zero', 0],
    ['fraction', 1.5],
    ['1e308', 1e308],
    ['-1e308', -1e308],
    ['2^63', 2 ** 63],
    ['2^63 as text', '9223372036854775808'],
    ['NaN as text', 'NaN'],
    ['Infinity as text', 'Infinity'],
    ['empty text', ''],
    location === 'body' ? ['100k characters', LONG.body] : ['8k characters', LONG.url],
    ['NUL', 'kopi\u0000toraja'],
    ['U+202E', 'kopi\u202Egpj.exe'],
    ['SQL injection', "' OR '1'='1' --"],
    ['SQL injection (stacked)', '1; DROP TABLE users; --'],
    ['NoSQL operator', location === 'body' ? { $gt: '' } : '{"$gt":""}'],
    ['path traversal', '../../../../etc/passwd'],
    ['encoded path traversal', '..%2F..%2F..%2Fetc%2Fpasswd'],
    ['not a uuid', '00000000-0000-0000-0000-00000000000g'],
    ['impossible date', '2026-02-30T25:61:00Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['past the last JS date', '+275761-01-01T00:00:00.000Z'],
    ['hex number', '0x10'],
    ['exponent number', '1e3'],
    ['whitespace only', '   '],
    ['fullwidth text', 'ＳＥＬＥＣＴ＊'],
    ['emoji', '🧋'.repeat(40)],
  ];
  // Path and query values travel as text: objects and arrays as their JSON.
  if (location === 'body') return values;
  const asText = values
    .filter(([label]) => label !== 'array' && label !== 'object' && label !== 'boolean')
    .map(([label, v]): [string, unknown] => [
      label,
      v === MISSING ? MISSING : v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v),
    ]);
  if (location === 'path' || location === 'query')
    asText.push(
      ['malformed percent-encoding', new Unencoded('%E0%A4%A')],
      ['lone percent sign', new Unencoded('%')],
      ['encoded slash', new Unencoded('a%2Fb')],
    );
  if (location !== 'header') return asText;
  // A header carries bytes, not text: no control characters (clients refuse to send them), and
  // anything beyond Latin-1 goes as its UTF-8 bytes, as a real client's would arrive.
  return asText
    .filter(([, v]) => typeof v !== 'string' || !/[\u0000-\u001f]/.test(v))
    .map(([label, v]): [string, unknown] => [
      label,
      typeof v === 'string' ? Buffer.from(v, 'utf8').toString('latin1') : v,
    ]);
}

// ---------------------------------------------------------------------------------------------
// Probes

/** Every probe of every operation of the document. */
export function probesOf(doc: Schema, fixtures: Fixtures): Probe[] {
  const resolve = resolver(doc);
  const sample = sampler(doc, fixtures);
  return operationsOf(doc).flatMap((op) => probesOfOperation(op, resolve, sample, fixtures));
}

function probesOfOperation(
  op: Operation,
  resolve: (s: Schema) => Schema,
  sample: ReturnType<typeof sampler>,
  fixtures: Fixtures,
): Probe[] {
  const admin = op.caller === 'admin';
  type Change = { location: Location; field: string[]; value: unknown };
  const build = (what: string, as: Caller, change?: Change, raw?: { body: string; type?: string }): Probe => {
    const valueOf = (p: Parameter) =>
      change && change.location === p.in && change.field[0] === p.name
        ? change.value
        : sample(p.schema, p.name, op.path, admin);
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const p = op.parameters.find((x) => x.in === 'path' && x.name === name);
      const v = p ? valueOf(p) : randomUUID();
      return v === MISSING ? '' : v instanceof Unencoded ? v.text : encodeURIComponent(String(v));
    });
    const query: string[] = [];
    const headers: Record<string, string> = {};
    for (const p of op.parameters) {
      const chosen = change?.location === p.in && change.field[0] === p.name;
      if (!p.required && !chosen) continue;
      const v = valueOf(p);
      if (v === MISSING) continue;
      if (p.in === 'query')
        query.push(`${encodeURIComponent(p.name)}=${v instanceof Unencoded ? v.text : encodeURIComponent(String(v))}`);
      if (p.in === 'header') headers[p.name] = String(v);
    }
    let body: string | undefined;
    if (raw) {
      body = raw.body;
      if (raw.type !== '') headers['content-type'] = raw.type ?? 'application/json';
    } else if (op.body) {
      const value = sample(op.body, '', op.path, admin);
      if (change?.location === 'body') setAt(value, change.field, change.value);
      body = JSON.stringify(value);
      headers['content-type'] = 'application/json';
    }
    const qs = query.join('&');
    return {
      route: op.route,
      what,
      request: { method: op.method, path: `${path}${qs ? `?${qs}` : ''}`, headers, body, as },
    };
  };

  const me = callerFor(op);
  const probes: Probe[] = [build('valid', me)];
  for (const as of ['none', 'garbage', 'shopper', 'admin', 'service'] as Caller[])
    if (as !== me) probes.push(build(`valid as ${as}`, as));

  // Bodies that are not what was declared; sent to every route that may take one.
  if (op.body || op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH') {
    const valid = op.body ? JSON.stringify(sample(op.body, '', op.path, admin)) : '{}';
    const withExtra = valid.startsWith('{')
      ? `{"role":"admin","is_admin":true,"user_id":"${fixtures.other.user ?? randomUUID()}","__proto__":{"admin":true},${valid.slice(1)}`
      : valid;
    const bodies: [string, string, string?][] = [
      ['malformed JSON', '{"a":'],
      ['empty body', ''],
      ['JSON null', 'null'],
      ['JSON array', '[]'],
      ['JSON text', '"kopi"'],
      ['JSON number', '12'],
      ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['unknown fields (mass assignment)', withExtra],
      ['duplicate keys', valid.startsWith('{"') ? `${valid.slice(0, -1)},${valid.slice(1)}` : valid],
      ['text/plain content type', valid, 'text/plain'],
      ['form content type', 'a=1&b=2', 'application/x-www-form-urlencoded'],
      ['no content type', valid, ''],
      ['oversized body (2 MB)', JSON.stringify({ padding: 'x'.repeat(2_000_000) })],
    ];
    for (const [what, body, type] of bodies) probes.push(build(what, me, undefined, { body, type }));
  }

  const fields: { location: Location; field: string[]; schema: Schema; name: string }[] = [
    ...op.parameters
      .filter((p) => ['path', 'query', 'header'].includes(p.in))
      .map((p) => ({ location: p.in as Location, field: [p.name], schema: resolve(p.schema), name: p.name })),
    ...(op.body
      ? leaves(resolve, op.body).map(([field, schema]) => ({
          location: 'body' as Location,
          field,
          schema,
          name: field.filter((k) => k !== '0').pop() ?? '',
        }))
      : []),
  ];
  for (const f of fields) {
    const label = `${f.location}.${f.field.join('.')}`;
    for (const [what, value] of hostileValues(f.schema, f.location))
      probes.push(build(`${label} = ${what}`, me, { ...f, value }));
    // Another shopper's object, where the field names one (an operator's probes already use those).
    const kind = idKind(f.name, op.path);
    const theirs = kind && fixtures.other[kind];
    if (theirs && !admin) probes.push(build(`${label} = another shopper's ${kind}`, me, { ...f, value: theirs }));
  }
  // A query parameter nobody declared, and a declared one given twice.
  const q = op.parameters.find((p) => p.in === 'query');
  const path = build('unknown query parameter', me).request;
  probes.push({
    route: op.route,
    what: 'unknown query parameter',
    request: { ...path, path: `${path.path}${path.path.includes('?') ? '&' : '?'}role=admin&__proto__[x]=1` },
  });
  if (q) {
    const twice = build(`query.${q.name} given twice`, me).request;
    const sep = twice.path.includes('?') ? '&' : '?';
    probes.push({
      route: op.route,
      what: `query.${q.name} given twice`,
      request: { ...twice, path: `${twice.path}${sep}${q.name}=1&${q.name}=2` },
    });
  }
  return probes;
}

/** A spread of `limit` probes: every route's valid request, and the rest sampled evenly. */
export function boundedSelection(probes: Probe[], limit: number, offset = Math.random()): Probe[] {
  const core = probes.filter((p) => p.what === 'valid');
  const rest = probes.filter((p) => p.what !== 'valid');
  const room = Math.min(rest.length, Math.max(0, limit - core.length));
  const stride = rest.length / Math.max(1, room);
  // `offset` (0-1) shifts the sample, so successive runs probe different values.
  const picked = Array.from({ length: room }, (_, i) => rest[Math.floor((i + offset) * stride) % rest.length]!);
  // In the order of the document, so the runner goes route by route.
  const chosen = new Set([...core, ...picked]);
  return probes.filter((p) => chosen.has(p));
}
