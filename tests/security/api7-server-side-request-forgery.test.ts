/**
 * OWASP API7:2023 Server Side Request Forgery. Pasar makes outbound requests to the payment gateway
 * and the carrier, their URLs from config, never from a request. These tests hold that line: no
 * documented input is a URL (except links Pasar stores and shows but never fetches, listed below),
 * and a URL smuggled into any body is refused by name.
 */
import { client, signUp, type Client } from '../support/http';
import { useServer } from '../support/server';
import { bandung } from '../support/shop';

const URLISH = /url|uri|href|link|callback|webhook|endpoint|host|redirect/i;
// A complaint's evidence: links to photos the buyer uploaded elsewhere, https only, shown to the
// seller and operators; nothing in Pasar requests them (grep: no fetch of evidence_urls).
const STORED_NEVER_FETCHED = new Set([
  'post /orders/{id}/complaint.evidence_urls',
  'patch /orders/{id}/complaint.evidence_urls',
]);

type Schema = { properties?: Record<string, Schema>; items?: Schema; format?: string; $ref?: string };

describe('API7 server side request forgery', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it('accepts no URL anywhere in its inputs (documented bodies, query and path parameters)', async () => {
    const doc = (await api.get('/openapi.json')).body;
    const schemas: Record<string, Schema> = doc.components?.schemas ?? {};
    const found: string[] = [];
    const walk = (s: Schema | undefined, at: string, seen: Set<string>) => {
      if (!s) return;
      if (s.$ref) {
        const name = s.$ref.split('/').pop()!;
        if (!seen.has(name)) walk(schemas[name], at, new Set([...seen, name]));
        return;
      }
      if (s.format === 'uri' || s.format === 'url') found.push(at);
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (URLISH.test(k)) found.push(`${at}.${k}`);
        walk(v, `${at}.${k}`, seen);
      }
      walk(s.items, `${at}[]`, seen);
    };
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        for (const p of op.parameters ?? []) if (URLISH.test(p.name)) found.push(`${method} ${path} ?${p.name}`);
        // The webhook is the gateway calling us: its body names no URL we would fetch either.
        walk(op.requestBody?.content?.['application/json']?.schema, `${method} ${path}`, new Set());
      }
    }
    expect(found.filter((f) => !STORED_NEVER_FETCHED.has(f))).toEqual([]);
  });

  it('takes complaint evidence only as https links, naming the field', async () => {
    const me = await signUp(api);
    const res = await api.post(
      `/orders/${crypto.randomUUID()}/complaint`,
      { reason: 'damaged', description: 'the jar arrived broken', evidence_urls: ['http://169.254.169.254/latest/'] },
      me.token,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('evidence_urls');
  });

  it('refuses a callback or webhook URL smuggled into a body, naming the field', async () => {
    const me = await signUp(api);
    const evil = 'http://169.254.169.254/latest/meta-data/';
    const cases = [
      await api.post('/payments/intent', { order_id: crypto.randomUUID(), webhook_url: evil }, me.token),
      await api.post('/users/me/addresses', { ...bandung, callback_url: evil }, me.token),
      await api.patch('/users/me', { first_name: 'Ayu', avatar_url: evil }, me.token),
    ];
    for (const [i, field] of ['webhook_url', 'callback_url', 'avatar_url'].entries()) {
      expect({ field, status: cases[i]!.status }).toEqual({ field, status: 400 });
      expect(JSON.stringify(cases[i]!.body.error.details)).toContain(field);
    }
  });
});
