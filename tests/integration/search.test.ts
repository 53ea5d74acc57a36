/**
 * Product search against the real stack: the admin API -> outbox -> Kafka -> the search consumer
 * (through the real runtime) -> Elasticsearch -> GET /search; the indexer's version rules fed
 * directly; relevance, typos, facets and suggestions on the demo catalog in a scratch index;
 * 400s; and a 503 naming elasticsearch when it is unreachable (a second app pointed at a closed
 * port, never stopping the shared one).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../api/app';
import { createErrorHandler } from '../../api/middleware/error-handler';
import { validationHook } from '../../api/middleware/validation';
import { searchRoutes } from '../../api/search/routes';
import { createProductSearch } from '../../services/search/query';
import { getConfig } from '../../platform/config';
import { closeDeps, createDeps, type Deps } from '../../platform/deps';
import { createLogger } from '../../platform/logger';
import { demoCatalog } from '../../scripts/lib/demo-catalog';
import { createServices } from '../../services';
import { createSearchConsumer } from '../../services/search/consumer';
import type { ProductDocument } from '../../services/search/document';
import { createIndexer } from '../../services/search/indexer';
import { PRICE_RANGES } from '../../services/search/query';
import { productEvent, useConsumers } from '../support/consumers';
import { unique } from '../support/deps';
import { adminToken, client } from '../support/http';
import { dropScratch, inventoryEvent, scratchAlias } from '../support/search';
import { useServer } from '../support/server';
import { waitFor } from '../support/shop';
import type { EventData } from '../../platform/event-catalog';

const logger = createLogger('silent');
const word = () =>
  `zq${Math.random()
    .toString(36)
    .replace(/[^a-z]/g, '')
    .slice(0, 8)}`;

describe('search', () => {
  const server = useServer();
  const consumers = useConsumers(() => server().deps.kafka);
  let api: ReturnType<typeof client>;
  let admin = '';
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  describe('through the admin API, Kafka and the search consumer', () => {
    beforeAll(async () => {
      // A group of its own that starts at the end of the topics: wait until it has joined and
      // applies a fresh change, so the test's own events are not produced before it listens.
      const c = consumers.start(createSearchConsumer(server().services, logger), { fromBeginning: false });
      await waitFor('the search consumer to join', async () => c.state() === 'running', 30_000);
      const probe = word();
      const res = await api.post('/products', { sku: unique('SRCH'), name: `Probe ${probe}`, price: '1000.00' }, admin);
      await waitFor(
        'the consumer to index a fresh product',
        async () => {
          await new Promise((r) => setTimeout(r, 500));
          const found = await api.get(`/search?q=${probe}`);
          if (found.body?.data?.[0]?.id === res.body.id) return true;
          // Produced before the group had its offsets: touch it again.
          await api.patch(`/products/${res.body.id}`, { price: '1001.00' }, admin);
          return false;
        },
        45_000,
      );
    }, 90_000);

    it('finds a product edited through the admin API by its new name and price', async () => {
      const [before, after] = [word(), word()];
      const created = await api.post(
        '/products',
        { sku: unique('SRCH'), name: `Sambal ${before} Cumi`, price: '25000.00', category: 'groceries', quantity: 5 },
        admin,
      );
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      await waitFor('the new product in /search', async () => (await api.get(`/search?q=${before}`)).body.total === 1);

      const edited = await api.patch(`/products/${id}`, { name: `Sambal ${after} Cumi`, price: '27500.00' }, admin);
      expect(edited.status).toBe(200);
      const hit = await waitFor('the edit in /search', async () => {
        const res = await api.get(`/search?q=${after}`);
        return res.body.data?.[0]?.price === '27500.00' ? res.body.data[0] : undefined;
      });
      expect(hit).toMatchObject({ id, name: `Sambal ${after} Cumi`, price: '27500.00', available: 5, in_stock: true });
      expect(hit.highlight.name).toBe(`Sambal <em>${after}</em> Cumi`);
      expect((await api.get(`/search?q=${before}`)).body.total).toBe(0);

      // Stock follows inventory.changed; an inactive product leaves search.
      expect((await api.put(`/products/${id}/inventory`, { quantity: 0 }, admin)).status).toBe(200);
      await waitFor(
        'in_stock false',
        async () => (await api.get(`/search?q=${after}`)).body.data?.[0]?.in_stock === false,
      );
      expect((await api.get(`/search?q=${after}&in_stock=true`)).body.total).toBe(0);
      await api.patch(`/products/${id}`, { status: 'inactive' }, admin);
      await waitFor(
        'the inactive product to leave search',
        async () => (await api.get(`/search?q=${after}`)).body.total === 0,
      );
    });
  });

  describe('the indexer, fed envelopes directly (scratch index)', () => {
    let alias = '';
    let deps: Deps;
    beforeAll(async () => {
      deps = server().deps;
      alias = await scratchAlias(deps.search);
    });
    afterAll(() => dropScratch(deps.search, alias));
    const ctx = { topic: 't', partition: 0, offset: '0', headers: {} };
    const read = async (id: string) => deps.search.get<ProductDocument>({ index: alias, id });

    it('leaves the newest stock after out-of-order inventory events, whichever half comes first', async () => {
      const spec = createSearchConsumer({ searchIndexer: createIndexer(deps.search, alias) }, logger);
      const id = randomUUID();
      await spec.handle(inventoryEvent(id, 3, 7), ctx); // stock before the product itself
      await spec.handle(inventoryEvent(id, 1, 50), ctx);
      await spec.handle(productEvent(1, id, 'Kopi Susu Gula Aren'), ctx); // carries available 10 as of creation
      await spec.handle(inventoryEvent(id, 2, 0), ctx);
      const doc = (await read(id))._source!;
      expect(doc).toMatchObject({ available: 7, in_stock: true, stock_version: 3, product_version: 1 });
      expect(doc.name).toBe('Kopi Susu Gula Aren');
    });

    it('changes nothing when events are redelivered or an older product event arrives late', async () => {
      const spec = createSearchConsumer({ searchIndexer: createIndexer(deps.search, alias) }, logger);
      const id = randomUUID();
      const v1 = productEvent(1, id, 'Teh Melati Lama');
      const v2 = productEvent(2, id, 'Teh Melati Baru');
      const stock = inventoryEvent(id, 1, 3);
      for (const e of [v1, v2, stock]) await spec.handle(e, ctx);
      const written = await read(id);
      for (const e of [v2, v2, v1, stock, stock, v1]) await spec.handle(e, ctx);
      const after = await read(id);
      expect(after._seq_no).toBe(written._seq_no); // not even rewritten
      expect(after._source).toMatchObject({ name: 'Teh Melati Baru', product_version: 2, available: 3 });
    });
  });

  describe('relevance, typos, facets and suggestions on the demo catalog (scratch index)', () => {
    let alias = '';
    let deps: Deps;
    const app = new OpenAPIHono({ defaultHook: validationHook });
    const get = async (path: string) => {
      const res = await app.request(path);
      return { status: res.status, body: (await res.json()) as any };
    };
    const catalog = demoCatalog();
    beforeAll(async () => {
      deps = server().deps;
      alias = await scratchAlias(deps.search);
      app.onError(createErrorHandler(logger));
      app.route('/', searchRoutes(createProductSearch(deps.search, alias)));
      const spec = createSearchConsumer({ searchIndexer: createIndexer(deps.search, alias) }, logger);
      const now = new Date().toISOString();
      const events = catalog.map((p) => ({
        ...productEvent(1),
        data: {
          ...p,
          id: randomUUID(),
          status: 'active' as const,
          available: p.quantity ?? 0,
          in_stock: p.quantity! > 0,
          created_at: now,
          updated_at: now,
        } as EventData<'product.upserted'>,
      }));
      events.forEach((e) => (e.aggregate_id = (e.data as { id: string }).id));
      const hidden = productEvent(1, randomUUID(), 'Keripik Tempe Rahasia');
      (hidden.data as { status: string }).status = 'inactive';
      for (let i = 0; i < events.length; i += 20)
        await Promise.all(
          events.slice(i, i + 20).map((e) => spec.handle(e, { topic: 't', partition: 0, offset: '0', headers: {} })),
        );
      await spec.handle(hidden, { topic: 't', partition: 0, offset: '0', headers: {} });
      await deps.search.indices.refresh({ index: alias });
    }, 120_000);
    afterAll(() => dropScratch(deps.search, alias));

    it('finds Keripik for "kripik", highlighted, and never an inactive product', async () => {
      const res = await get('/search?q=kripik');
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(4);
      expect(res.body.data.map((h: { name: string }) => h.name)).toEqual(
        expect.arrayContaining(catalog.filter((p) => p.name.startsWith('Keripik')).map((p) => p.name)),
      );
      expect(res.body.data[0].highlight.name).toMatch(/^<em>Keripik<\/em> Singkong/);
    });

    it('ranks every coffee first for "kopi susu"', async () => {
      const res = await get('/search?q=kopi%20susu&page_size=10');
      const names: string[] = res.body.data.map((h: { name: string }) => h.name);
      expect(names.slice(0, 8).every((n) => n.startsWith('Kopi '))).toBe(true);
      expect(names.slice(8).every((n) => !n.startsWith('Kopi '))).toBe(true);
    });

    it('counts facets with every filter but their own, and filters the hits with all', async () => {
      const res = await get('/search?q=kopi&category=groceries&max_price=100000&page_size=50');
      const kopi = catalog.filter((p) => /\bkopi\b/i.test(`${p.name} ${p.description}`));
      const cheap = kopi.filter((p) => Number(p.price) <= 100000);
      expect(res.body.total).toBe(cheap.filter((p) => p.category === 'groceries').length);
      expect(res.body.data.every((h: { price: string }) => Number(h.price) <= 100000)).toBe(true);
      // Category counts keep the price filter; price ranges keep the category filter.
      const byCategory = Object.fromEntries(res.body.facets.categories.map((f: any) => [f.value, f.count]));
      expect(byCategory.groceries).toBe(cheap.filter((p) => p.category === 'groceries').length);
      const ranges = res.body.facets.price_ranges as { key: string; count: number }[];
      expect(ranges.map((r) => r.key)).toEqual(PRICE_RANGES.map((r) => r.key));
      const over500 = ranges.find((r) => r.key === 'over_500k')!;
      expect(over500.count).toBe(kopi.filter((p) => p.category === 'groceries' && Number(p.price) >= 500000).length);
      expect(ranges.reduce((n, r) => n + r.count, 0)).toBe(kopi.filter((p) => p.category === 'groceries').length);
    });

    it('sorts by price and pages', async () => {
      const res = await get('/search?q=batik&sort=price_asc&page=2&page_size=3');
      const prices = res.body.data.map((h: { price: string }) => Number(h.price));
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
      expect(res.body).toMatchObject({ page: 2, page_size: 3 });
    });

    it('suggests from a few letters, from any word, with one typo, active products only', async () => {
      const names = async (q: string) =>
        (await get(`/search/suggestions?q=${encodeURIComponent(q)}`)).body.data.map(
          (s: { name: string }) => s.name as string,
        );
      expect((await names('krip'))[0]).toMatch(/^Keripik Singkong/);
      expect(await names('krip')).not.toContain('Keripik Tempe Rahasia');
      expect((await names('singk'))[0]).toMatch(/^Keripik Singkong/);
      // Exact prefixes rank before the one-edit ones ("kopi r..." is one edit from "kopi ar").
      expect((await names('kopi ar')).slice(0, 4).every((n: string) => n.startsWith('Kopi Arabika'))).toBe(true);
      expect((await names('bqtik'))[0]).toMatch(/Batik/);
    });
  });

  describe('bad input', () => {
    it.each([
      ['/search', 'q'],
      ['/search?q=', 'q'],
      ['/search?q=%20%20', 'q'],
      ['/search?q=!!!', 'q'],
      [`/search?q=${'a'.repeat(101)}`, 'q'],
      [`/search?q=${Array(11).fill('kopi').join('%20')}`, 'q'],
      ['/search?q=kopi&page=101', 'page'],
      ['/search?q=kopi&page_size=1000', 'page_size'],
      ['/search?q=kopi&min_price=10&max_price=5', 'min_price'],
      ['/search?q=kopi&max_price=1e20', 'max_price'],
      ['/search?q=kopi&sort=popular', 'sort'],
      ['/search?q=kopi&in_stock=yes', 'in_stock'],
      ['/search/suggestions?q=', 'q'],
    ])('%s is a 400 naming %s', async (path, field) => {
      const res = await api.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });

  describe('with Elasticsearch unreachable', () => {
    let deps: Deps;
    let http: ServerType;
    let base = '';
    beforeAll(async () => {
      deps = createDeps({ ...getConfig(), elasticsearch: { url: 'http://127.0.0.1:1' } });
      const app = createApp(deps, createServices(deps, logger), logger);
      await new Promise<void>((resolve) => {
        http = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
      });
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => http.close(resolve));
      await closeDeps(deps);
    });

    it('answers 503 naming elasticsearch, while the catalog and readiness keep working', async () => {
      const down = client(base);
      for (const path of ['/search?q=kopi', '/search/suggestions?q=kop']) {
        const res = await down.get(path);
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({
          code: 'dependency_unavailable',
          details: { dependency: 'elasticsearch' },
        });
        expect(res.body.error.message).toMatch(/elasticsearch/);
      }
      expect((await down.get('/products?page_size=1')).status).toBe(200);
      expect((await down.get('/readyz')).status).toBe(200);
    });
  });
});
